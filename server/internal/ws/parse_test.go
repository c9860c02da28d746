package ws

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// piecesReader returns its pieces one per Read (a piece larger than the
// caller's buffer over several), then io.EOF.
type piecesReader struct{ pieces [][]byte }

func (r *piecesReader) Read(p []byte) (int, error) {
	for len(r.pieces) > 0 && len(r.pieces[0]) == 0 {
		r.pieces = r.pieces[1:]
	}
	if len(r.pieces) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.pieces[0])
	r.pieces[0] = r.pieces[0][k:]
	return k, nil
}

// splitAt cuts b at the given offsets (ascending).
func splitAt(b []byte, offsets ...int) [][]byte {
	var pieces [][]byte
	last := 0
	for _, o := range offsets {
		pieces = append(pieces, b[last:o])
		last = o
	}
	return append(pieces, b[last:])
}

// readOutcome is what a reader made of a byte stream: its messages (opcode
// and payload) and the error it ended with.
type readOutcome struct {
	msgs []string
	err  string
}

// errClass names an error by what the engine does with it.
func errClass(err error) string {
	var we *Error
	switch {
	case errors.As(err, &we):
		return fmt.Sprintf("close %d", we.Code)
	case errors.Is(err, ErrPeerClosed):
		return "peer closed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	default:
		return err.Error()
	}
}

// readStream reads messages from pieces with ReadMessage until an error.
func readStream(t *testing.T, pieces [][]byte, limit int64, deflate bool) readOutcome {
	t.Helper()
	rc := &recordConn{fakeConn: fakeConn{r: &piecesReader{pieces: pieces}}}
	c := NewConn(rc, limit, deflate)
	var out readOutcome
	for range 100 {
		op, p, err := c.ReadMessage()
		if err != nil {
			out.err = errClass(err)
			break
		}
		out.msgs = append(out.msgs, fmt.Sprintf("%d:%s", op, p))
	}
	c.DrainAndClose()
	if c.rb != nil || c.part != nil {
		t.Fatal("reader state kept after the close")
	}
	return out
}

// splitStreams are client byte streams for the split tests: every kind of
// frame the reader handles, and the ways a stream ends.
func splitStreams(t testing.TB) []struct {
	name    string
	stream  []byte
	deflate bool
	want    readOutcome
} {
	mid := bytes.Repeat([]byte("m"), 300)   // 16-bit length
	big := bytes.Repeat([]byte("b"), 70000) // 64-bit length, above eagerPayload
	z := "4" + strings.Repeat("z", 300)
	return []struct {
		name    string
		stream  []byte
		deflate bool
		want    readOutcome
	}{
		{"text then close", cat(frame(0x81, []byte("4hello")), frame(0x88, closePayload(1000, "bye"))),
			false, readOutcome{[]string{"1:4hello"}, "peer closed"}},
		{"fragments around a ping", cat(frame(0x01, []byte("4fr")), frame(0x89, []byte("p")), frame(0x00, []byte("ag")),
			frame(0x8a, nil), frame(0x80, []byte("ment")), frame(0x82, mid)),
			false, readOutcome{[]string{"1:4fragment", "2:" + string(mid)}, "eof"}},
		{"empty frames", cat(frame(0x01, nil), frame(0x00, nil), frame(0x80, []byte("4")), frame(0x82, nil)),
			false, readOutcome{[]string{"1:4", "2:"}, "eof"}},
		{"compressed", cat(frame(0xc1, compressForTest(t, []byte(z))), frame(0x81, []byte("4x"))),
			true, readOutcome{[]string{"1:" + z, "1:4x"}, "eof"}},
		{"truncated payload", frame(0x82, mid)[:200], false, readOutcome{nil, "eof"}},
		{"over the limit", frame(0x82, big), false, readOutcome{nil, "close 1009"}},
		{"over the limit in fragments", cat(frame(0x02, mid), frame(0x80, mid)), false, readOutcome{nil, "close 1009"}},
		{"invalid utf-8 across fragments", cat(frame(0x01, []byte("4\xc3")), frame(0x80, []byte("\x28"))),
			false, readOutcome{nil, "close 1007"}},
		{"unmasked after a message", cat(frame(0x81, []byte("4a")), []byte{0x81, 0x01, 'b'}),
			false, readOutcome{[]string{"1:4a"}, "close 1002"}},
		{"long ping", frame(0x89, bytes.Repeat([]byte("p"), 126)), false, readOutcome{nil, "close 1002"}},
		{"large", cat(frame(0x82, big), frame(0x81, []byte("4end"))),
			false, readOutcome{[]string{"2:" + string(big), "1:4end"}, "eof"}},
	}
}

func cat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }

// TestReadSplitEverywhere: a stream cut in two at any byte, or in three at
// any two bytes of its first 40 (a header cut in pieces), gives the
// messages and the error it gives whole: the reader resumes a header, a
// control frame, a payload and a fragmented message where it stopped.
func TestReadSplitEverywhere(t *testing.T) {
	for _, tt := range splitStreams(t) {
		t.Run(tt.name, func(t *testing.T) {
			limit := int64(500)
			if tt.name == "large" {
				limit = 1e6
			}
			whole := readStream(t, [][]byte{tt.stream}, limit, tt.deflate)
			if fmt.Sprint(whole) != fmt.Sprint(tt.want) {
				t.Fatalf("whole: %.200v, want %.200v", whole, tt.want)
			}
			step := 1
			if len(tt.stream) > 1000 {
				step = 97 // and every byte of the headers below
			}
			var cuts [][]int
			for i := 1; i < len(tt.stream); i++ {
				if i%step == 0 || i < 20 || len(tt.stream)-i < 20 || i >= 70010 && i < 70030 {
					cuts = append(cuts, []int{i})
				}
			}
			for i := 1; i < min(40, len(tt.stream)); i++ {
				for j := i + 1; j < min(40, len(tt.stream)); j++ {
					cuts = append(cuts, []int{i, j})
				}
			}
			for _, cut := range cuts {
				got := readStream(t, splitAt(tt.stream, cut...), limit, tt.deflate)
				if fmt.Sprint(got) != fmt.Sprint(whole) {
					t.Fatalf("cut at %v: %.200v, want %.200v", cut, got, whole)
				}
			}
		})
	}
}

// TestReadRandomSplits: random cuts of every size (a byte at a time up to
// several frames at once) give the messages of the whole stream.
func TestReadRandomSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range splitStreams(t) {
		whole := readStream(t, [][]byte{tt.stream}, 1e6, tt.deflate)
		for range 50 {
			got := readStream(t, randomPieces(rng, tt.stream, 1+rng.IntN(300)), 1e6, tt.deflate)
			if fmt.Sprint(got) != fmt.Sprint(whole) {
				t.Fatalf("%s: %.200v, want %.200v", tt.name, got, whole)
			}
		}
	}
}

// randomPieces cuts b into pieces of 1 to maxPiece bytes drawn from rng.
func randomPieces(rng *rand.Rand, b []byte, maxPiece int) [][]byte {
	var pieces [][]byte
	for len(b) > 0 {
		k := min(len(b), 1+rng.IntN(maxPiece))
		pieces = append(pieces, b[:k])
		b = b[k:]
	}
	return pieces
}

// TestPartialAllocation: a message that arrives in pieces is returned in a
// slice of its exact size when it is one frame up to eagerPayload, and its
// partial state is dropped once it is whole.
func TestPartialAllocation(t *testing.T) {
	payload := bytes.Repeat([]byte("p"), 1000)
	f := frame(0x82, payload)
	c := NewConn(&fakeConn{r: &piecesReader{pieces: splitAt(f, 3, 500)}}, 1e6, false)
	op, p, err := c.ReadMessage()
	if err != nil || op != OpBinary || !bytes.Equal(p, payload) {
		t.Fatalf("%d %d bytes %v", op, len(p), err)
	}
	if cap(p) != len(p) {
		t.Fatalf("capacity %d for %d bytes", cap(p), len(p))
	}
	if c.part != nil || c.rb != nil {
		t.Fatal("partial state or buffer kept after the message")
	}
}
