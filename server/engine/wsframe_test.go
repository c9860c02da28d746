package engine

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/server/internal/ws"
)

// rawClient is a hand-written WebSocket client: it writes the frames it is
// given byte for byte and reads the server's frames.
type rawClient struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

// dialRaw opens a websocket session (the 101 and the open packet are read).
func (ts *testServer) dialRaw(t *testing.T, extraHeaders string) *rawClient {
	t.Helper()
	addr := ts.ts.Listener.Addr().String()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(15 * time.Second))
	req := "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + addr +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		extraHeaders + "\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	rc := &rawClient{t: t, c: c, br: bufio.NewReader(c)}
	res, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols ||
		res.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake response %d %v", res.StatusCode, res.Header)
	}
	if op, p := rc.read(); op != ws.OpText || !strings.HasPrefix(string(p), "0{") {
		t.Fatalf("open packet %d %q", op, p)
	}
	return rc
}

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

func (rc *rawClient) write(frames ...[]byte) {
	rc.t.Helper()
	if _, err := rc.c.Write(bytes.Join(frames, nil)); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// read reads one server frame (which must be unmasked and final).
func (rc *rawClient) read() (byte, []byte) {
	rc.t.Helper()
	op, p, err := rc.readErr()
	if err != nil {
		rc.t.Fatalf("read: %v", err)
	}
	return op, p
}

func (rc *rawClient) readErr() (byte, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(rc.br, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0]&0x80 == 0 || h[1]&0x80 != 0 {
		return 0, nil, errors.New("server frame not final or masked")
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(rc.br, b[:]); err != nil {
			return 0, nil, err
		}
		n = int(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(rc.br, b[:]); err != nil {
			return 0, nil, err
		}
		n = int(binary.BigEndian.Uint64(b[:]))
	}
	p := make([]byte, n)
	_, err := io.ReadFull(rc.br, p)
	return h[0] & 0x0f, p, err
}

// readClose reads frames until the server's close frame and returns its
// code (0 when it has none).
func (rc *rawClient) readClose() uint16 {
	rc.t.Helper()
	for range 100 {
		op, p := rc.read()
		if op == ws.OpClose {
			if len(p) < 2 {
				return 0
			}
			return binary.BigEndian.Uint16(p)
		}
	}
	rc.t.Fatal("no close frame in 100 frames")
	return 0
}

// expectEOF waits for the server to close the TCP connection.
func (rc *rawClient) expectEOF() {
	rc.t.Helper()
	for range 100 {
		if _, _, err := rc.readErr(); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
				strings.Contains(err.Error(), "reset") {
				return
			}
			rc.t.Fatalf("waiting for the server to close: %v", err)
		}
	}
	rc.t.Fatal("connection not closed")
}

// TestWebsocketCloseCodes: every violation of RFC 6455 by the client gets
// the ws library's close code, the session closes with the given reason,
// and the server closes the TCP connection once the client answers the
// close frame.
func TestWebsocketCloseCodes(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1001)
	tests := []struct {
		name   string
		frames [][]byte
		code   uint16
		reason string
		err    error
	}{
		{"unmasked", [][]byte{{0x81, 0x02, '4', 'a'}}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"rsv1 without deflate", [][]byte{frame(0xc1, []byte("4a"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"rsv2", [][]byte{frame(0xa1, []byte("4a"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"rsv3 on ping", [][]byte{frame(0x99, nil)}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"data opcode 3", [][]byte{frame(0x83, []byte("4a"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"control opcode 11", [][]byte{frame(0x8b, nil)}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"fragmented ping", [][]byte{frame(0x09, []byte("x"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"long ping", [][]byte{frame(0x89, bytes.Repeat([]byte("p"), 126))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"continuation first", [][]byte{frame(0x80, []byte("4a"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"text inside a message", [][]byte{frame(0x01, []byte("4a")), frame(0x81, []byte("4b"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"rsv1 on continuation", [][]byte{frame(0x01, []byte("4a")), frame(0xc0, []byte("b"))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"length msb", [][]byte{{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"invalid utf-8", [][]byte{frame(0x81, []byte("4\xff"))}, 1007, ReasonTransportError, ErrWebsocketProtocol},
		{"utf-8 split across fragments", [][]byte{frame(0x01, []byte("4\xc3")), frame(0x80, []byte("\xa9")), frame(0x81, []byte("4\xc3"))}, 1007, ReasonTransportError, ErrWebsocketProtocol},
		{"invalid utf-8 across fragments", [][]byte{frame(0x01, []byte("4\xc3")), frame(0x80, []byte("\x28"))}, 1007, ReasonTransportError, ErrWebsocketProtocol},
		{"too big", [][]byte{frame(0x81, big)}, 1009, ReasonTransportError, ErrMessageTooBig},
		{"too big in fragments", [][]byte{frame(0x01, big[:600]), frame(0x80, big[:401])}, 1009, ReasonTransportError, ErrMessageTooBig},
		{"huge length", [][]byte{{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}}, 1009, ReasonTransportError, ErrMessageTooBig},
		{"close of one byte", [][]byte{frame(0x88, []byte{3})}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"close 1005", [][]byte{frame(0x88, closePayload(1005, ""))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"close 999", [][]byte{frame(0x88, closePayload(999, ""))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"close 5000", [][]byte{frame(0x88, closePayload(5000, ""))}, 1002, ReasonTransportError, ErrWebsocketProtocol},
		{"close reason not utf-8", [][]byte{frame(0x88, closePayload(1000, "\xff"))}, 1007, ReasonTransportError, ErrWebsocketProtocol},
		{"close 4000 echoed", [][]byte{frame(0x88, closePayload(4000, "bye"))}, 4000, ReasonTransportClose, nil},
		{"close 1001 echoed", [][]byte{frame(0x88, closePayload(1001, ""))}, 1001, ReasonTransportClose, nil},
		{"empty close", [][]byte{frame(0x88, nil)}, 1000, ReasonTransportClose, nil},
		{"engine close packet", [][]byte{frame(0x81, []byte("1"))}, 1000, ReasonTransportClose, nil},
		{"engine parse error", [][]byte{frame(0x81, []byte("x"))}, 1000, ReasonParseError, nil},
		{"client ping packet", [][]byte{frame(0x81, []byte("2"))}, 1000, ReasonTransportError, ErrInvalidHeartbeat},
	}
	ts := newTestServer(t, &Options{MaxHTTPBufferSize: 1000}, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := ts.dialRaw(t, "")
			rc.write(tt.frames...)
			if code := rc.readClose(); code != tt.code {
				t.Fatalf("close code %d, want %d", code, tt.code)
			}
			ev := ts.closed(t)
			if ev.reason != tt.reason || (tt.err != nil && !errors.Is(ev.err, tt.err)) {
				t.Fatalf("OnClose %q %v, want %q %v", ev.reason, ev.err, tt.reason, tt.err)
			}
			rc.write(frame(0x88, closePayload(1000, ""))) // the client's side of the close handshake
			if strings.Contains(tt.name, "length") {
				// The framing is lost: the server waits for the client to
				// close its side (or ws.CloseWait).
				_ = rc.c.(*net.TCPConn).CloseWrite()
			}
			rc.expectEOF()
		})
	}
}

// TestWebsocketControlFrames: a ping is answered with a pong of the same
// payload, pongs in the order of the pings; pongs are ignored; a message
// fragmented around control frames is reassembled. The echoes come in order
// among themselves, but a pong may overtake the application's echo of an
// earlier message (the reader answers pings at once, the echo is written by
// the session's writer): RFC 6455 orders neither against the other.
func TestWebsocketControlFrames(t *testing.T) {
	ts := newTestServer(t, nil, true)
	rc := ts.dialRaw(t, "")
	rc.write(
		frame(0x89, []byte("p1")),
		frame(0x81, []byte("4a")),
		frame(0x01, []byte("4fr")),
		frame(0x89, []byte("p2")),
		frame(0x8a, []byte("unsolicited")),
		frame(0x00, []byte("ag")),
		frame(0x80, []byte("ment")),
		frame(0x02, []byte{1}),
		frame(0x80, []byte{2, 3}),
		frame(0x89, nil),
	)
	type fr struct {
		op byte
		p  string
	}
	wantPongs := []fr{{ws.OpPong, "p1"}, {ws.OpPong, "p2"}, {ws.OpPong, ""}}
	wantData := []fr{{ws.OpText, "4a"}, {ws.OpText, "4fragment"}, {ws.OpBinary, "\x01\x02\x03"}}
	var pongs, data []fr
	for range len(wantPongs) + len(wantData) {
		op, p := rc.read()
		if op == ws.OpPong {
			pongs = append(pongs, fr{op, string(p)})
		} else {
			data = append(data, fr{op, string(p)})
		}
	}
	if !slices.Equal(pongs, wantPongs) || !slices.Equal(data, wantData) {
		t.Fatalf("pongs %q, data %q; want %q, %q", pongs, data, wantPongs, wantData)
	}
	if s := ts.session(t); s.Transport() != TransportWebsocket {
		t.Fatal("session not open")
	}
}

// TestWebsocketServerCloseUnanswered: a server-initiated close whose close
// frame the client never answers closes the TCP connection after
// ws.CloseWait.
func TestWebsocketServerCloseUnanswered(t *testing.T) {
	ts := newTestServer(t, nil, false)
	rc := ts.dialRaw(t, "")
	s := ts.session(t)
	start := time.Now()
	s.Close(ReasonForcedClose)
	if code := rc.readClose(); code != 1000 {
		t.Fatalf("close code %d", code)
	}
	if ev := ts.closed(t); ev.reason != ReasonForcedClose {
		t.Fatalf("close %q", ev.reason)
	}
	rc.expectEOF()
	if d := time.Since(start); d < ws.CloseWait-time.Second {
		t.Fatalf("closed after %v, before the client could answer", d)
	}
}

// TestWebsocketHandshakeErrors: bad opening handshakes get 400 (the
// version error with the supported version).
func TestWebsocketHandshakeErrors(t *testing.T) {
	ts := newTestServer(t, nil, false)
	url := ts.base + "?EIO=4&transport=websocket"
	good := map[string]string{
		"Connection": "keep-alive, Upgrade", "Upgrade": "WebSocket",
		"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
	}
	tests := []struct {
		name    string
		set     map[string]string
		version bool
	}{
		{"version 8", map[string]string{"Sec-WebSocket-Version": "8"}, true},
		{"no version", map[string]string{"Sec-WebSocket-Version": ""}, true},
		{"no key", map[string]string{"Sec-WebSocket-Key": ""}, false},
		{"short key", map[string]string{"Sec-WebSocket-Key": "dGhlIHNhbXBsZQ=="}, false},
		{"key not base64", map[string]string{"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25j*Q=="}, false},
		{"no upgrade", map[string]string{"Upgrade": ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", url, nil)
			for k, v := range good {
				req.Header.Set(k, v)
			}
			for k, v := range tt.set {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			res, err := ts.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 400 || (tt.version && res.Header.Get("Sec-WebSocket-Version") != "13") {
				t.Fatalf("%d %v", res.StatusCode, res.Header)
			}
		})
	}
	if n := ts.srv.SessionCount(); n != 0 {
		t.Fatalf("%d sessions", n)
	}
}

// TestWebsocketDeflateRaw: a compressed message (RSV1) is inflated, a
// compressed message inflating over MaxHTTPBufferSize closes with 1009, bad
// deflate data with 1007.
func TestWebsocketDeflateRaw(t *testing.T) {
	ts := newTestServer(t, &Options{PerMessageDeflate: true, MaxHTTPBufferSize: 5000}, true)
	ext := "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
	rc := ts.dialRaw(t, ext)
	msg := "4" + strings.Repeat("deflate ", 200)
	rc.write(frame(0xc1, compressForTest(t, []byte(msg))))
	op, p := rc.read() // echoed compressed (RSV1 is checked by read: not final/masked only)
	if op != ws.OpText || len(p) >= len(msg) {
		t.Fatalf("echo %d, %d bytes", op, len(p))
	}
	rc.write(frame(0xc1, compressForTest(t, []byte("4"+strings.Repeat("x", 6000)))))
	if code := rc.readClose(); code != 1009 {
		t.Fatalf("close %d, want 1009", code)
	}
	rc2 := ts.dialRaw(t, ext)
	rc2.write(frame(0xc1, []byte{0xff, 0xff, 0xff}))
	if code := rc2.readClose(); code != 1007 {
		t.Fatalf("close %d, want 1007", code)
	}
}

// BenchmarkEchoWebsocketRaw measures one round trip through the server
// with a hand-written client (a pre-masked frame written, the reply read
// into a fixed buffer: the client allocates nothing), so allocs/op and
// B/op are the server's: reading the message, the handler's Send, the
// inline reply.
func BenchmarkEchoWebsocketRaw(b *testing.B) {
	srv := NewServer(echoOptions())
	hts := httptest.NewServer(srv)
	defer hts.Close()
	defer srv.Close(context.Background())
	c, err := rawWebsocket(hts.Listener.Addr().String(), "/")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	payload := []byte(`442["echo",{"n":1}]`)
	msg := frame(0x81, payload)
	reply := make([]byte, 2+len(payload))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWebsocketLargeMessages: messages larger than eagerPayload, in one
// frame and in fragments, arrive whole (the payload grows as it arrives).
func TestWebsocketLargeMessages(t *testing.T) {
	ts := newTestServer(t, nil, true)
	rc := ts.dialRaw(t, "")
	bin := make([]byte, 300<<10+3)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	text := strings.Repeat("large é ", 30<<10)
	rc.write(frame(0x82, bin))
	rc.write(frame(0x01, []byte("4"+text[:100<<10])), frame(0x89, []byte("x")), frame(0x00, []byte(text[100<<10:200<<10])), frame(0x80, []byte(text[200<<10:])))
	if op, p := rc.read(); op != ws.OpBinary || !bytes.Equal(p, bin) {
		t.Fatalf("binary echo: %d, %d bytes", op, len(p))
	}
	if op, _ := rc.read(); op != ws.OpPong {
		t.Fatalf("frame %d, want the pong", op)
	}
	if op, p := rc.read(); op != ws.OpText || string(p) != "4"+text {
		t.Fatalf("text echo: %d, %d bytes", op, len(p))
	}
}

// compressForTest returns b compressed as a permessage-deflate message
// (the deflate tail stripped).
func compressForTest(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(b)
	_ = w.Flush()
	return bytes.Clone(buf.Bytes()[:buf.Len()-4])
}
