//go:build !js

package loadgen

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// serverFrame encodes one unmasked frame as a server sends it.
func serverFrame(fin bool, op byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	b := []byte{b0}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
	return append(b, payload...)
}

// clientFrame is a frame decoded the way a server reads it.
type clientFrame struct {
	fin     bool
	op      byte
	masked  bool
	payload []byte
}

// readClientFrame decodes one client frame from b, byte by byte (an
// implementation independent of frame.go), and returns the rest of b.
func readClientFrame(b []byte) (clientFrame, []byte, error) {
	if len(b) < 2 {
		return clientFrame{}, nil, io.ErrUnexpectedEOF
	}
	f := clientFrame{fin: b[0]&0x80 != 0, op: b[0] & 0x0F, masked: b[1]&0x80 != 0}
	n := uint64(b[1] & 0x7F)
	b = b[2:]
	switch n {
	case 126:
		n, b = uint64(b[0])<<8|uint64(b[1]), b[2:]
	case 127:
		n = 0
		for i := range 8 {
			n = n<<8 | uint64(b[i])
		}
		b = b[8:]
	}
	var key [4]byte
	if f.masked {
		copy(key[:], b)
		b = b[4:]
	}
	if uint64(len(b)) < n {
		return clientFrame{}, nil, io.ErrUnexpectedEOF
	}
	f.payload = make([]byte, n)
	for i := range f.payload {
		f.payload[i] = b[i] ^ key[i%4]
	}
	return f, b[n:], nil
}

func TestAppendFrame(t *testing.T) {
	for _, n := range []int{0, 1, 3, 7, 8, 9, 125, 126, 127, 1000, 0xFFFF, 0x10000, 70000} {
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(i*7 + 3)
		}
		want := bytes.Clone(payload)
		prefix := []byte("kept")
		b := appendFrame(bytes.Clone(prefix), opText, payload)
		if !bytes.Equal(b[:len(prefix)], prefix) {
			t.Fatalf("len %d: prefix overwritten", n)
		}
		if !bytes.Equal(payload, want) {
			t.Fatalf("len %d: appendFrame changed its argument", n)
		}
		f, rest, err := readClientFrame(b[len(prefix):])
		if err != nil {
			t.Fatalf("len %d: %v", n, err)
		}
		if !f.fin || f.op != opText || !f.masked || len(rest) != 0 {
			t.Fatalf("len %d: fin %v op %d masked %v, %d bytes left", n, f.fin, f.op, f.masked, len(rest))
		}
		if !bytes.Equal(f.payload, want) {
			t.Fatalf("len %d: payload differs after unmasking", n)
		}
	}
}

func TestAppendFrameMaskVaries(t *testing.T) {
	keys := map[string]bool{}
	for range 8 {
		b := appendFrame(nil, opPing, []byte("x"))
		keys[string(b[2:6])] = true
	}
	if len(keys) < 2 {
		t.Fatalf("8 frames used %d mask key(s)", len(keys))
	}
}

// controlLog records the control frames a messageReader passed on.
type controlLog []string

func (l *controlLog) on(op byte, p []byte) error {
	*l = append(*l, fmt.Sprintf("%x:%s", op, p))
	return nil
}

func newTestReader(stream []byte, bufSize int, limit int64, log *controlLog) *messageReader {
	return &messageReader{
		br:        bufio.NewReaderSize(bytes.NewReader(stream), bufSize),
		limit:     limit,
		onControl: log.on,
	}
}

func TestMessageReader(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 7000) // 70 000 bytes: 64-bit length
	mid := bytes.Repeat([]byte("ab"), 200)          // 400 bytes: 16-bit length
	var stream []byte
	for _, f := range [][]byte{
		serverFrame(true, opText, []byte("40")),
		serverFrame(true, opPing, []byte("p1")),
		serverFrame(true, opBinary, []byte{1, 2, 3}),
		serverFrame(true, opText, mid),
		serverFrame(true, opText, big),
		serverFrame(false, opText, []byte("ab")),
		serverFrame(true, opPing, []byte("p2")),
		serverFrame(false, opContinuation, []byte("cd")),
		serverFrame(true, opPong, nil),
		serverFrame(true, opContinuation, []byte("ef")),
		serverFrame(true, opText, nil),
		serverFrame(false, opText, mid[:100]),
		serverFrame(true, opContinuation, mid[100:]),
	} {
		stream = append(stream, f...)
	}
	want := []struct {
		op byte
		b  []byte
	}{
		{opText, []byte("40")}, {opBinary, []byte{1, 2, 3}}, {opText, mid}, {opText, big},
		{opText, []byte("abcdef")}, {opText, []byte{}}, {opText, mid},
	}
	for _, size := range []int{16, 512, 4096, 1 << 17} { // 16: every frame but the tiny ones takes the copy path
		t.Run(fmt.Sprint("buffer ", size), func(t *testing.T) {
			var log controlLog
			r := newTestReader(stream, size, 1<<20, &log)
			for i, w := range want {
				op, b, err := r.next()
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if op != w.op || !bytes.Equal(b, w.b) {
					t.Fatalf("message %d: op %d, %d bytes %.20q; want op %d, %d bytes %.20q", i, op, len(b), b, w.op, len(w.b), w.b)
				}
			}
			if _, _, err := r.next(); err != io.EOF {
				t.Fatalf("after the last message: %v, want io.EOF", err)
			}
			if got := strings.Join(log, " "); got != "9:p1 9:p2 a:" {
				t.Fatalf("control frames %q", got)
			}
		})
	}
}

func TestMessageReaderErrors(t *testing.T) {
	cat := func(fs ...[]byte) []byte { return bytes.Join(fs, nil) }
	masked := appendFrame(nil, opText, []byte("hi")) // a client frame: masked
	tests := []struct {
		name   string
		stream []byte
		limit  int64
		want   error
		msg    string
	}{
		{"masked", masked, 0, ErrFrame, "masked"},
		{"rsv1", cat([]byte{0xC1, 0x00}), 0, ErrFrame, "reserved bits"},
		{"opcode 3", cat([]byte{0x83, 0x00}), 0, ErrFrame, "unknown opcode"},
		{"opcode 11", cat([]byte{0x8B, 0x00}), 0, ErrFrame, "unknown opcode"},
		{"long ping", serverFrame(true, opPing, make([]byte, 126)), 0, ErrFrame, "control frame"},
		{"fragmented ping", serverFrame(false, opPing, nil), 0, ErrFrame, "control frame"},
		{"lone continuation", serverFrame(true, opContinuation, []byte("x")), 0, ErrFrame, "continuation"},
		{"text inside fragments", cat(serverFrame(false, opText, []byte("a")), serverFrame(true, opText, []byte("b"))), 0, ErrFrame, "inside a fragmented"},
		{"over limit", serverFrame(true, opText, make([]byte, 101)), 100, ErrFrame, "read limit"},
		{"fragments over limit", cat(serverFrame(false, opText, make([]byte, 60)), serverFrame(true, opContinuation, make([]byte, 41))), 100, ErrFrame, "read limit"},
		{"length top bit", cat([]byte{0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}), 0, ErrFrame, "top bit"},
		{"truncated header", []byte{0x81}, 0, io.ErrUnexpectedEOF, ""},
		{"truncated length", []byte{0x81, 126, 1}, 0, io.ErrUnexpectedEOF, ""},
		{"truncated payload", serverFrame(true, opText, []byte("hello"))[:4], 0, io.ErrUnexpectedEOF, ""},
		{"truncated big payload", serverFrame(true, opText, make([]byte, 5000))[:3000], 0, io.ErrUnexpectedEOF, ""},
		{"end inside fragments", serverFrame(false, opText, []byte("a")), 0, io.ErrUnexpectedEOF, ""},
		{"truncated ping", serverFrame(true, opPing, []byte("ping"))[:3], 0, io.ErrUnexpectedEOF, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			var log controlLog
			r := newTestReader(tt.stream, 4096, limit, &log)
			_, b, err := r.next()
			if !errors.Is(err, tt.want) || !strings.Contains(fmt.Sprint(err), tt.msg) {
				t.Fatalf("got %q, %v; want %v containing %q", b, err, tt.want, tt.msg)
			}
		})
	}
}

func TestMessageReaderControlError(t *testing.T) {
	stop := errors.New("stop")
	r := &messageReader{
		br:        bufio.NewReader(bytes.NewReader(serverFrame(true, opClose, []byte{3, 232}))),
		limit:     100,
		onControl: func(byte, []byte) error { return stop },
	}
	if _, _, err := r.next(); !errors.Is(err, stop) {
		t.Fatalf("got %v, want the control handler's error", err)
	}
}

func TestAcceptKey(t *testing.T) {
	// The example of RFC 6455 section 1.3.
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("acceptKey = %q", got)
	}
}

func BenchmarkMessageReader(b *testing.B) {
	frame := serverFrame(true, opText, []byte(`431["abcdefghijklmnopqrstuvwxyz012345",42]`))
	stream := bytes.Repeat(frame, 64)
	src := bytes.NewReader(stream)
	r := &messageReader{br: bufio.NewReaderSize(src, readBufferSize), limit: 1 << 20, onControl: func(byte, []byte) error { return nil }}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%64 == 0 {
			src.Reset(stream)
			r.br.Reset(src)
			r.skip = 0
		}
		if _, _, err := r.next(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	payload := []byte(`421["echo","abcdefghijklmnopqrstuvwxyz012345",42]`)
	buf := make([]byte, 0, 128)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		buf = appendFrame(buf[:0], opText, payload)
	}
}

// TestMessageReaderDeflate: with deflate negotiated, a message whose first
// frame has RSV1 is inflated (one frame in the buffer, fragments, larger
// than the buffer); other reserved bits, RSV1 on a control or continuation
// frame, bad data and an inflation over the limit are errors.
func TestMessageReaderDeflate(t *testing.T) {
	z := func(s string) []byte {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestSpeed)
		_, _ = w.Write([]byte(s))
		_ = w.Flush()
		return bytes.Clone(buf.Bytes()[:buf.Len()-4])
	}
	big := strings.Repeat("json-like text ", 2000)
	zbig := z(big)
	first := serverFrame(false, opText, zbig[:100])
	first[0] |= 0x40
	frag := bytes.Join([][]byte{first, serverFrame(true, opContinuation, zbig[100:])}, nil)
	one := serverFrame(true, opText, z("4hello"))
	one[0] |= 0x40
	plain := serverFrame(true, opText, []byte("4plain"))
	stream := bytes.Join([][]byte{one, plain, frag}, nil)
	var log controlLog
	r := newTestReader(stream, 256, 1<<20, &log)
	r.deflate = true
	for _, want := range []string{"4hello", "4plain", big} {
		op, b, err := r.next()
		if err != nil || op != opText || string(b) != want {
			t.Fatalf("got %d, %d bytes, %v; want %d bytes", op, len(b), err, len(want))
		}
	}
	bad := func(b0 byte, payload []byte) []byte {
		f := serverFrame(true, b0&0x0f, payload)
		f[0] |= b0 & 0x70
		return f
	}
	cont := serverFrame(false, opText, []byte("a"))
	contZ := serverFrame(true, opContinuation, []byte("b"))
	contZ[0] |= 0x40
	for name, tt := range map[string]struct {
		stream []byte
		limit  int64
		msg    string
	}{
		"rsv2":                 {bad(0x20|opText, []byte("x")), 1 << 20, "reserved bits"},
		"rsv1 on ping":         {bad(0x40|opPing, nil), 1 << 20, "compressed control"},
		"rsv1 on continuation": {append(cont, contZ...), 1 << 20, "continuation"},
		"bad data":             {bad(0x40|opText, []byte{0xff, 0xff, 0xff}), 1 << 20, "bad compressed"},
		"over limit":           {one, 3, "read limit"},
	} {
		var log controlLog
		r := newTestReader(tt.stream, 256, tt.limit, &log)
		r.deflate = true
		if _, b, err := r.next(); !errors.Is(err, ErrFrame) || !strings.Contains(err.Error(), tt.msg) {
			t.Fatalf("%s: got %q, %v; want %q", name, b, err, tt.msg)
		}
	}
}
