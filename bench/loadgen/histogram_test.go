//go:build !js

package loadgen

import (
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ { // 1 µs .. 1 ms
		h.Record(time.Duration(i) * time.Microsecond)
	}
	var other Histogram
	other.Record(50 * time.Millisecond)
	h.Merge(&other)
	if h.Count() != 1001 {
		t.Fatalf("count %d", h.Count())
	}
	for _, c := range []struct {
		q      float64
		lo, hi time.Duration
	}{
		{0.5, 490 * time.Microsecond, 501 * time.Microsecond},
		{0.99, 975 * time.Microsecond, 991 * time.Microsecond},
		{1, 49 * time.Millisecond, 50 * time.Millisecond},
	} {
		if got := h.Quantile(c.q); got < c.lo || got > c.hi {
			t.Errorf("q%.2f = %v, want in [%v, %v]", c.q, got, c.lo, c.hi)
		}
	}
	if h.Max() != 50*time.Millisecond {
		t.Errorf("max %v", h.Max())
	}
}

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for us := uint64(0); us < 1<<30; us = us*9/8 + 1 {
		i := histBucket(us)
		if i < prev {
			t.Fatalf("bucket(%d) = %d < previous %d", us, i, prev)
		}
		prev = i
		lo := histValue(i)
		if lo > us || (us >= histLinear && float64(us-lo) > float64(us)/histSub) {
			t.Fatalf("bucket(%d) = %d starts at %d", us, i, lo)
		}
	}
}
