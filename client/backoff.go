package client

import (
	"math"
	"math/rand/v2"
	"time"
)

// backoff computes reconnection delays as socket.io-client's backo2:
// min * factor^attempts, randomized by ±jitter, capped at max.
type backoff struct {
	min, max time.Duration
	factor   float64
	jitter   float64
	attempts int
	rand     func() float64
}

func newBackoff(min, max time.Duration, jitter float64) *backoff {
	return &backoff{min: min, max: max, factor: 2, jitter: jitter, rand: rand.Float64}
}

// duration returns the next delay and counts an attempt.
func (b *backoff) duration() time.Duration {
	ms := float64(b.min.Milliseconds()) * math.Pow(b.factor, float64(b.attempts))
	b.attempts++
	if b.jitter > 0 && b.jitter <= 1 {
		r := b.rand()
		dev := math.Floor(r * b.jitter * ms)
		if int(math.Floor(r*10))&1 == 0 {
			ms -= dev
		} else {
			ms += dev
		}
	}
	d := time.Duration(math.Min(ms, float64(b.max.Milliseconds()))) * time.Millisecond
	return d
}

func (b *backoff) reset() { b.attempts = 0 }
