package ws

import (
	"io"
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

// FuzzWSFrames feeds arbitrary bytes, read in chunks of any size, to the
// websocket frame reader (with and without permessage-deflate): it never
// panics or hangs, returns only messages within the size limit or the
// errors of a closed or broken connection, and gives its buffer back.
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
	})
}
