package ws

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// chunkReader returns at most n bytes per Read: frames split anywhere.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[k:]
	return k, nil
}

// FuzzWSFrames feeds arbitrary bytes to the websocket frame reader (with
// and without permessage-deflate) whole, in chunks of one size, and cut at
// random places (drawn from chunk): it never panics or hangs, returns only
// messages within the size limit or the errors of a closed or broken
// connection, gives its buffer back, and makes of the pieces what it makes
// of the whole (the reader resumes wherever a read ends).
// Seed corpus: testdata/fuzz/FuzzWSFrames.
func FuzzWSFrames(f *testing.F) {
	const limit = 1 << 12
	for _, seed := range [][]byte{
		frame(0x81, []byte("4hello")),
		append(frame(0x01, []byte("4fr")), append(frame(0x89, []byte("p")), frame(0x80, []byte("ag"))...)...),
		frame(0x82, []byte{1, 2, 3}),
		frame(0x88, closePayload(1000, "bye")),
		frame(0xc1, compressForTest(f, []byte("4"+strings.Repeat("z", 300)))),
		{0x81, 0xfe, 0x10, 0x00, 1, 2, 3, 4},
		{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4},
		frame(0x81, []byte("4\xff")),
	} {
		f.Add(seed, false, uint8(0))
		f.Add(seed, true, uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, deflate bool, chunk uint8) {
		c := NewConn(&fakeConn{r: &chunkReader{b: b, n: int(chunk) + 1}}, limit, deflate)
		for range 64 {
			op, p, err := c.ReadMessage()
			checkReadResult(t, op, p, err, limit)
			if err != nil {
				break
			}
		}
		c.DrainAndClose()
		if c.rb != nil {
			t.Fatal("read buffer kept after the close")
		}
		whole := readStream(t, [][]byte{b}, limit, deflate)
		rng := rand.New(rand.NewPCG(uint64(chunk), uint64(len(b))))
		if cut := readStream(t, randomPieces(rng, b, 1+int(chunk)), limit, deflate); fmt.Sprint(cut) != fmt.Sprint(whole) {
			t.Fatalf("in pieces: %.200v, whole: %.200v", cut, whole)
		}
	})
}
