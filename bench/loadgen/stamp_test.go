//go:build !js

package loadgen

import (
	"testing"
	"time"
)

func TestParseStamp(t *testing.T) {
	for _, tc := range []struct {
		frame string
		ns    int64
		ok    bool
	}{
		{`42["msg","1796187337768123456xxxx"]`, 1796187337768123456, true},
		{`42["msg","0000000000000000042"]`, 42, true},
		{`42["msg","9223372036854775807"]`, 1<<63 - 1, true},
		{`42["msg","9999999999999999999"]`, 0, false}, // beyond int64
		{`42["msg","179618733776812345"]`, 0, false},  // 18 digits
		{`42["msg","17961873377681234x6"]`, 0, false},
		{`42["msg","-796187337768123456"]`, 0, false},
		{`42["msg",1796187337768123456]`, 0, false},
		{`42["other","1796187337768123456"]`, 0, false},
		{`42["msg","xxxxxxxxxxxxxxxxxxxxxxxx"]`, 0, false},
		{``, 0, false},
	} {
		got, ok := ParseStamp([]byte(tc.frame))
		if ok != tc.ok || (ok && got.UnixNano() != tc.ns) {
			t.Errorf("ParseStamp(%q) = %v, %v; want %d, %v", tc.frame, got.UnixNano(), ok, tc.ns, tc.ok)
		}
	}
}

// TestRecordStamp: a timed connection records the delay of a stamped frame
// and rejects a frame without a stamp; an untimed one accepts both.
func TestRecordStamp(t *testing.T) {
	c := &Conn{}
	if !c.recordStamp([]byte(`42["msg","xx"]`)) {
		t.Fatal("untimed connection rejected a frame")
	}
	c.reset(128, 1, nil, true, nil)
	sent := time.Now().Add(-3 * time.Millisecond)
	frame := []byte(`42["msg","` + stampString(sent) + `xxxx"]`)
	if !c.recordStamp(frame) {
		t.Fatalf("stamped frame %q rejected", frame)
	}
	if c.recordStamp([]byte(`42["msg","xx"]`)) {
		t.Fatal("frame without a stamp accepted")
	}
	h := MergeLatency([]*Conn{c, {}})
	if h.Count() != 1 || h.Max() < 3*time.Millisecond || h.Max() > time.Minute {
		t.Fatalf("latency: %d observations, max %v; want 1, >= 3ms", h.Count(), h.Max())
	}
}

func stampString(t time.Time) string {
	b := []byte("0000000000000000000")
	ns := t.UnixNano()
	for i := len(b) - 1; i >= 0 && ns > 0; i-- {
		b[i] = byte('0' + ns%10)
		ns /= 10
	}
	return string(b)
}

func FuzzParseStamp(f *testing.F) {
	f.Add([]byte(`42["msg","1796187337768123456xxxx"]`))
	f.Add([]byte(`42["msg","9999999999999999999"]`))
	f.Add([]byte(`42["msg","`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := ParseStamp(b)
		if !ok {
			return
		}
		if got.UnixNano() < 0 || len(b) < len(msgStringPrefix)+StampDigits {
			t.Fatalf("ParseStamp(%q) = %v", b, got)
		}
	})
}
