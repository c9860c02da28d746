package ws

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// writtenFrame writes one message with WriteCompressed through cache (no
// batch) and returns the frame's first byte and its inflated payload.
func writtenFrame(t *testing.T, cache *DeflateCache, op byte, lead int, data []byte) (byte, []byte) {
	t.Helper()
	var out bytes.Buffer
	w := &Writer{w: &out}
	if err := w.WriteCompressed(cache, op, lead, data); err != nil {
		t.Fatal(err)
	}
	f := out.Bytes()
	n, hl := int(f[1]&0x7f), 2
	switch n {
	case 126:
		n, hl = int(f[2])<<8|int(f[3]), 4
	case 127:
		n, hl = 0, 10
		for _, b := range f[2:10] {
			n = n<<8 | int(b)
		}
	}
	if len(f) != hl+n {
		t.Fatalf("frame of %d bytes, header says %d+%d", len(f), hl, n)
	}
	p, err := inflate(f[hl:], 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return f[0], p
}

// TestDeflateCacheShares: concurrent writers of the same message share one
// compression; a different message, opcode or lead byte is compressed on
// its own; every frame inflates to its message.
func TestDeflateCacheShares(t *testing.T) {
	var cache DeflateCache
	msg := []byte(strings.Repeat(`{"user":"u1","text":"hello"},`, 60))
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			b0, p := writtenFrame(t, &cache, OpText, '4', msg)
			if b0 != 0xc1 || !bytes.Equal(p, append([]byte("4"), msg...)) {
				t.Errorf("frame %#x, %d bytes", b0, len(p))
			}
		})
	}
	wg.Wait()
	if got := cache.Compressions(); got != 1 {
		t.Fatalf("%d compressions of one message written 32 times, want 1", got)
	}
	for i, c := range []struct {
		op   byte
		lead int
	}{{OpText, '3'}, {OpBinary, -1}} {
		b0, p := writtenFrame(t, &cache, c.op, c.lead, msg)
		want := msg
		if c.lead >= 0 {
			want = append([]byte{byte(c.lead)}, msg...)
		}
		if b0 != 0xc0|c.op || !bytes.Equal(p, want) {
			t.Fatalf("case %d: frame %#x, %d bytes", i, b0, len(p))
		}
		if got := cache.Compressions(); got != uint64(2+i) {
			t.Fatalf("case %d: %d compressions", i, got)
		}
	}
}

// TestDeflateCacheEvictsAndBounds: the cache holds the last
// deflateCacheSlots messages (an evicted one is compressed again, still
// right), and a message over DeflateCacheMax is compressed every time.
func TestDeflateCacheEvictsAndBounds(t *testing.T) {
	var cache DeflateCache
	msg := func(i int) []byte { return fmt.Appendf(nil, "%d %s", i, strings.Repeat("abc", 400)) }
	for i := range deflateCacheSlots + 1 {
		writtenFrame(t, &cache, OpText, -1, msg(i))
	}
	if got := cache.Compressions(); got != deflateCacheSlots+1 {
		t.Fatalf("%d compressions", got)
	}
	writtenFrame(t, &cache, OpText, -1, msg(deflateCacheSlots)) // still held
	if _, p := writtenFrame(t, &cache, OpText, -1, msg(0)); !bytes.Equal(p, msg(0)) {
		t.Fatal("evicted message inflates wrong")
	}
	if got := cache.Compressions(); got != deflateCacheSlots+2 {
		t.Fatalf("%d compressions, want the evicted one again", got)
	}
	big := bytes.Repeat([]byte("z"), DeflateCacheMax+1)
	for range 2 {
		if _, p := writtenFrame(t, &cache, OpBinary, -1, big); !bytes.Equal(p, big) {
			t.Fatal("large message inflates wrong")
		}
	}
	if got := cache.Compressions(); got != deflateCacheSlots+4 {
		t.Fatalf("%d compressions, want a large message compressed each time", got)
	}
}

// BenchmarkWriteCompressedShared measures a 1 KB message written
// compressed through a cache that already holds it (a broadcast recipient
// after the first).
func BenchmarkWriteCompressedShared(b *testing.B) {
	var cache DeflateCache
	msg := []byte(strings.Repeat(`{"user":"u1","text":"hello"},`, 36))
	w := &Writer{w: discardWriter{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteCompressed(&cache, OpText, '4', msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteCompressed is the same 1 KB message compressed for its
// connection alone.
func BenchmarkWriteCompressed(b *testing.B) {
	msg := []byte(strings.Repeat(`{"user":"u1","text":"hello"},`, 36))
	w := &Writer{w: discardWriter{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteCompressed(nil, OpText, '4', msg); err != nil {
			b.Fatal(err)
		}
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
