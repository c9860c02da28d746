//go:build !js

package loadgen

import (
	"math/bits"
	"time"
)

// histSub is the number of sub-buckets per power of two above the linear range:
// values are kept with a relative error under 1/histSub.
const (
	histSub     = 64
	histLinear  = 2 * histSub
	histBuckets = histLinear + 40*histSub
)

// Histogram records durations with microsecond resolution up to histLinear µs
// and about 1.6 % relative resolution above. The zero value is ready to use.
// It is not safe for concurrent use: keep one per goroutine and Merge them.
type Histogram struct {
	counts [histBuckets]uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

func histBucket(us uint64) int {
	if us < histLinear {
		return int(us)
	}
	e := bits.Len64(us) - bits.Len64(histSub) // us>>e lies in [histSub, 2*histSub)
	i := histLinear + (e-1)*histSub + int(us>>e) - histSub
	return min(i, histBuckets-1)
}

func histValue(i int) uint64 {
	if i < histLinear {
		return uint64(i)
	}
	k := i - histLinear
	e := k/histSub + 1
	return uint64(k%histSub+histSub) << e
}

// Record adds one observation.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histBucket(uint64(d/time.Microsecond))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

// Merge adds the observations of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest observation.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average observation.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns the q-quantile (0 < q <= 1) as the lower bound of its bucket.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(histValue(i)) * time.Microsecond
		}
	}
	return h.max
}
