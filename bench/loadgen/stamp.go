//go:build !js

package loadgen

import (
	"bytes"
	"time"
)

// StampDigits is the length of the emit time that starts the string of a
// time-stamped "msg" event: Unix nanoseconds, zero-padded decimal (as
// bench/benchserver and bench/node/cluster.js write it).
const StampDigits = 19

// msgStringPrefix starts a "msg" event whose first argument is a string.
var msgStringPrefix = []byte(`42["msg","`)

// ParseStamp returns the emit time carried by the "msg" event frame b
// (`42["msg","<19 digits>...`), and false when b carries none.
func ParseStamp(b []byte) (time.Time, bool) {
	rest, ok := bytes.CutPrefix(b, msgStringPrefix)
	if !ok || len(rest) < StampDigits {
		return time.Time{}, false
	}
	var ns int64
	for _, c := range rest[:StampDigits] {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		d := int64(c - '0')
		if ns > (1<<63-1-d)/10 {
			return time.Time{}, false // beyond int64
		}
		ns = ns*10 + d
	}
	return time.Unix(0, ns), true
}

// recordStamp adds the delay from the emit time stamped in b to now to the
// connection's latency histogram when one is set (a timed broadcast); it
// reports false for a frame without a stamp. It runs on the reader goroutine,
// the histogram's only writer while the broadcast lasts.
func (c *Conn) recordStamp(b []byte) bool {
	h := c.lat.Load()
	if h == nil {
		return true
	}
	t, ok := ParseStamp(b)
	if !ok {
		return false
	}
	h.Record(time.Since(t))
	return true
}

// Latency returns the delays from emit to receipt of the messages of the
// last timed broadcast (Broadcast.Timed) the connection received, or nil.
// Read it only once RunBroadcast has returned without error.
func (c *Conn) Latency() *Histogram { return c.lat.Load() }

// MergeLatency merges the latency histograms of conns (see Conn.Latency).
func MergeLatency(conns []*Conn) *Histogram {
	var h Histogram
	for _, c := range conns {
		if l := c.Latency(); l != nil {
			h.Merge(l)
		}
	}
	return &h
}
