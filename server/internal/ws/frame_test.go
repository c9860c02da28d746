package ws

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// frame returns a masked client frame.
func frame(b0 byte, payload []byte) []byte {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	f := []byte{b0}
	switch n := len(payload); {
	case n <= 125:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = binary.BigEndian.AppendUint16(append(f, 0x80|126), uint16(n))
	default:
		f = binary.BigEndian.AppendUint64(append(f, 0x80|127), uint64(n))
	}
	f = append(f, key[:]...)
	for i, c := range payload {
		f = append(f, c^key[i&3])
	}
	return f
}

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

func compressForTest(t testing.TB, b []byte) []byte {
	t.Helper()
	d := deflaters.Get().(*deflater)
	defer deflaters.Put(d)
	d.buf.b = nil
	d.w.Reset(&d.buf)
	_, _ = d.w.Write(b)
	_ = d.w.Flush()
	return bytes.Clone(d.buf.b[:len(d.buf.b)-4])
}

// fakeConn is a net.Conn reading from r, its writes discarded.
type fakeConn struct {
	net.Conn
	r io.Reader
}

func (c *fakeConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *fakeConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *fakeConn) Close() error                     { return nil }
func (c *fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fakeConn) SetDeadline(time.Time) error      { return nil }
func (c *fakeConn) SetWriteDeadline(time.Time) error { return nil }
func (c *fakeConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *fakeConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }

// TestReadMessageAllocs: an uncompressed message of one frame costs one
// allocation, its payload.
func TestReadMessageAllocs(t *testing.T) {
	msg := frame(0x81, []byte(`442["echo",{"n":1}]`))
	c := NewConn(&fakeConn{r: eofReader{}}, 1e6, false)
	allocs := testing.AllocsPerRun(100, func() {
		c.Preload(msg)
		op, p, err := c.ReadMessage()
		if err != nil || op != OpText || string(p) != `442["echo",{"n":1}]` {
			t.Fatalf("%d %q %v", op, p, err)
		}
		if c.rb != nil {
			t.Fatal("read buffer kept after the message")
		}
	})
	if allocs != 1 {
		t.Fatalf("%v allocations per message, want 1", allocs)
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// TestMaskBytes checks the word-at-a-time masking against the definition.
func TestMaskBytes(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for n := range 80 {
		b := bytes.Repeat([]byte{0xaa}, n)
		maskBytes(key, b)
		for i := range b {
			if b[i] != 0xaa^key[i%4] {
				t.Fatalf("len %d: byte %d", n, i)
			}
		}
	}
}

// checkReadResult is shared with the fuzzer: what readMessage may return.
func checkReadResult(t *testing.T, op byte, p []byte, err error, max int64) {
	t.Helper()
	if err != nil {
		var we *Error
		if errors.As(err, &we) || errors.Is(err, ErrPeerClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return
		}
		t.Fatalf("unexpected error %v", err)
	}
	if op != OpText && op != OpBinary || int64(len(p)) > max {
		t.Fatalf("message %d of %d bytes", op, len(p))
	}
}

// BenchmarkReadMessage measures the frame reader on a buffered message of
// one frame (an acked Socket.IO event): unmasking, checks, the payload's
// allocation.
func BenchmarkReadMessage(b *testing.B) {
	msg := frame(0x81, []byte(`442["echo",{"n":1,"s":"hello world"}]`))
	c := NewConn(&fakeConn{r: eofReader{}}, 1e6, false)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		c.Preload(msg)
		if _, _, err := c.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHeaderAloneAllocatesLittle: a frame header announcing a large payload
// that never comes does not make the reader allocate that payload (the
// bound allows the pooled read buffer, which a fresh pool, or the race
// detector's dropping of pooled items, makes it allocate).
func TestHeaderAloneAllocatesLittle(t *testing.T) {
	hdr := []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x00, 1, 2, 3, 4} // 999936 bytes
	c := NewConn(&fakeConn{r: bytes.NewReader(hdr)}, 1e6, false)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, _, err := c.ReadMessage(); err == nil {
		t.Fatal("no error at EOF")
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 2*eagerPayload+BufferSize+4096 {
		t.Fatalf("%d bytes allocated for a header alone", d)
	}
}

// recordConn is a fakeConn that keeps what the server writes.
type recordConn struct {
	fakeConn
	out bytes.Buffer
}

func (c *recordConn) Write(p []byte) (int, error) { return c.out.Write(p) }

// TestReadMessageErrors: every violation of RFC 6455 is returned as an
// *Error with the ws library's close code, wrapping ErrProtocol or
// ErrMessageTooBig; a client's close frame is answered with its code and
// reported as ErrPeerClosed (the engine's TestWebsocketCloseCodes checks the
// same through a session).
func TestReadMessageErrors(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1001)
	tests := []struct {
		name   string
		frames [][]byte
		code   uint16 // the *Error's code, or the close code echoed
		err    error
	}{
		{"unmasked", [][]byte{{0x81, 0x02, '4', 'a'}}, 1002, ErrProtocol},
		{"rsv1 without deflate", [][]byte{frame(0xc1, []byte("4a"))}, 1002, ErrProtocol},
		{"rsv2", [][]byte{frame(0xa1, []byte("4a"))}, 1002, ErrProtocol},
		{"rsv3 on ping", [][]byte{frame(0x99, nil)}, 1002, ErrProtocol},
		{"data opcode 3", [][]byte{frame(0x83, []byte("4a"))}, 1002, ErrProtocol},
		{"control opcode 11", [][]byte{frame(0x8b, nil)}, 1002, ErrProtocol},
		{"fragmented ping", [][]byte{frame(0x09, []byte("x"))}, 1002, ErrProtocol},
		{"long ping", [][]byte{frame(0x89, bytes.Repeat([]byte("p"), 126))}, 1002, ErrProtocol},
		{"continuation first", [][]byte{frame(0x80, []byte("4a"))}, 1002, ErrProtocol},
		{"text inside a message", [][]byte{frame(0x01, []byte("4a")), frame(0x81, []byte("4b"))}, 1002, ErrProtocol},
		{"rsv1 on continuation", [][]byte{frame(0x01, []byte("4a")), frame(0xc0, []byte("b"))}, 1002, ErrProtocol},
		{"length msb", [][]byte{{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}}, 1002, ErrProtocol},
		{"invalid utf-8", [][]byte{frame(0x81, []byte("4\xff"))}, 1007, ErrProtocol},
		{"invalid utf-8 across fragments", [][]byte{frame(0x01, []byte("4\xc3")), frame(0x80, []byte("\x28"))}, 1007, ErrProtocol},
		{"too big", [][]byte{frame(0x81, big)}, 1009, ErrMessageTooBig},
		{"too big in fragments", [][]byte{frame(0x01, big[:600]), frame(0x80, big[:401])}, 1009, ErrMessageTooBig},
		{"huge length", [][]byte{{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}}, 1009, ErrMessageTooBig},
		{"close of one byte", [][]byte{frame(0x88, []byte{3})}, 1002, ErrProtocol},
		{"close 1005", [][]byte{frame(0x88, closePayload(1005, ""))}, 1002, ErrProtocol},
		{"close 5000", [][]byte{frame(0x88, closePayload(5000, ""))}, 1002, ErrProtocol},
		{"close reason not utf-8", [][]byte{frame(0x88, closePayload(1000, "\xff"))}, 1007, ErrProtocol},
		{"close 4000 echoed", [][]byte{frame(0x88, closePayload(4000, "bye"))}, 4000, ErrPeerClosed},
		{"empty close", [][]byte{frame(0x88, nil)}, 1000, ErrPeerClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recordConn{fakeConn: fakeConn{r: bytes.NewReader(bytes.Join(tt.frames, nil))}}
			c := NewConn(rc, 1000, false)
			_, _, err := c.ReadMessage()
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if tt.err == ErrPeerClosed {
				want := append([]byte{0x88, 2}, closePayload(tt.code, "")...)
				if !bytes.Equal(rc.out.Bytes(), want) {
					t.Fatalf("close answered with % x, want % x", rc.out.Bytes(), want)
				}
				return
			}
			var we *Error
			if !errors.As(err, &we) || we.Code != tt.code {
				t.Fatalf("error %v, want close code %d", err, tt.code)
			}
		})
	}
}
