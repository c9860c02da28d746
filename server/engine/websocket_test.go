//go:build !js

package engine

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

func TestWebsocketSession(t *testing.T) {
	ts := newTestServer(t, nil, true)
	c := ts.dial(t, "EIO=4&transport=websocket&foo=bar")
	typ, open := readFrame(t, c)
	if typ != websocket.MessageText {
		t.Fatalf("open frame type %v", typ)
	}
	hs := openHandshake(t, open)
	if len(hs.Upgrades) != 0 {
		t.Fatalf("upgrades %v", hs.Upgrades)
	}
	s := ts.session(t)
	if s.Transport() != "websocket" || s.ID() != hs.SID || s.Request().Query().Get("foo") != "bar" {
		t.Fatalf("session %q %q %v", s.Transport(), s.ID(), s.Request().Query())
	}
	writeText(t, c, "4hello")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	writeText(t, c, "bBAU=") // base64 binary in a text frame, as the reference accepts
	if typ, f := readFrame(t, c); typ != websocket.MessageText || f != "4hello" {
		t.Fatalf("echo %v %q", typ, f)
	}
	if typ, f := readFrame(t, c); typ != websocket.MessageBinary || hex.EncodeToString([]byte(f)) != "010203" {
		t.Fatalf("echo %v %q", typ, f)
	}
	if typ, f := readFrame(t, c); typ != websocket.MessageBinary || hex.EncodeToString([]byte(f)) != "0405" {
		t.Fatalf("echo %v %q", typ, f)
	}
	// Empty text message, and a multi-packet Send.
	_ = s.Send(eio.Packet{Type: eio.Message}, eio.TextMessage([]byte("a")), eio.BinaryMessage([]byte{9}))
	for _, want := range []string{"4", "4a", "\x09"} {
		if _, f := readFrame(t, c); f != want {
			t.Fatalf("%q, want %q", f, want)
		}
	}
}

func TestWebsocketBase64(t *testing.T) {
	ts := newTestServer(t, nil, true)
	c := ts.dial(t, "EIO=4&transport=websocket&b64=1")
	readFrame(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if typ, f := readFrame(t, c); typ != websocket.MessageText || f != "bAQIDBA==" {
		t.Fatalf("echo %v %q", typ, f)
	}
}

func TestWebsocketTooBig(t *testing.T) {
	ts := newTestServer(t, &Options{MaxHTTPBufferSize: 1000}, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	writeText(t, c, "4"+strings.Repeat("x", 999)) // exactly the limit: fine
	if p := ts.msg(t); len(p.Data) != 999 {
		t.Fatalf("message of %d bytes", len(p.Data))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Write(ctx, websocket.MessageText, []byte("4"+strings.Repeat("x", 1000)))
	if code := readClosed(t, c); code != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v, want 1009", code)
	}
	if ev := ts.closed(t); ev.reason != ReasonTransportError {
		t.Fatalf("close %q", ev.reason)
	}
}

func TestWebsocketClosePacket(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	writeText(t, c, "1")
	if ev := ts.closed(t); ev.reason != ReasonTransportClose {
		t.Fatalf("close %q", ev.reason)
	}
	if code := readClosed(t, c); code != websocket.StatusNormalClosure {
		t.Fatalf("close status %v", code)
	}
}

func TestWebsocketPeerClose(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	c.Close(websocket.StatusNormalClosure, "")
	if ev := ts.closed(t); ev.reason != ReasonTransportClose {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
}

func TestWebsocketParseError(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	writeText(t, c, "x")
	if ev := ts.closed(t); ev.reason != ReasonParseError {
		t.Fatalf("close %q", ev.reason)
	}
	readClosed(t, c)
}

func TestWebsocketServerClose(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	s := ts.session(t)
	_ = s.Send(eio.TextMessage([]byte("a")), eio.TextMessage([]byte("b")))
	s.Close(ReasonForcedClose)
	for _, want := range []string{"4a", "4b"} {
		if _, f := readFrame(t, c); f != want {
			t.Fatalf("%q, want %q", f, want)
		}
	}
	if code := readClosed(t, c); code != websocket.StatusNormalClosure {
		t.Fatalf("close status %v", code)
	}
	if ev := ts.closed(t); ev.reason != ReasonForcedClose {
		t.Fatalf("close %q", ev.reason)
	}
	<-s.Context().Done()
}

func TestWebsocketPerMessageDeflate(t *testing.T) {
	ts := newTestServer(t, &Options{PerMessageDeflate: true}, true)
	c, res := dialCompressing(t, ts)
	if ext := res.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("extensions %q", ext)
	}
	readFrame(t, c)
	big := "4" + strings.Repeat("deflate me ", 300)
	for _, m := range []string{"4small", big} {
		writeText(t, c, m)
		if _, f := readFrame(t, c); f != m {
			t.Fatalf("echo of %d bytes: %d bytes", len(m), len(f))
		}
	}
}

func TestWebsocketNoDeflateByDefault(t *testing.T) {
	ts := newTestServer(t, nil, false)
	_, res := dialCompressing(t, ts)
	if ext := res.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		t.Fatalf("extensions %q", ext)
	}
}

// TestWebsocketEarlyFrame sends a frame in the same write as the handshake
// request: the bytes net/http buffered before the hijack must not be lost.
func TestWebsocketEarlyFrame(t *testing.T) {
	ts := newTestServer(t, nil, false)
	addr := strings.TrimPrefix(ts.ts.URL, "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := []byte("4early")
	mask := [4]byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | byte(len(payload)), mask[0], mask[1], mask[2], mask[3]}
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	req := "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + addr +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	if p := ts.msg(t); string(p.Data) != "early" {
		t.Fatalf("message %q", p.Data)
	}
}

// TestWebsocketBatch queues many packets at once (text of several sizes,
// binary, base64 over text is tested elsewhere): the flush writes them in
// batches, each still its own message, in order.
func TestWebsocketBatch(t *testing.T) {
	ts := newTestServer(t, &Options{MaxQueuedBytes: 16 << 20}, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c) // open
	s := ts.session(t)
	var want []string
	for i := range 300 {
		var p eio.Packet
		switch i % 3 {
		case 0:
			p = eio.TextMessage([]byte(strings.Repeat("a", i)))
		case 1:
			p = eio.TextMessage([]byte(strings.Repeat("b", i*200))) // up to 60 KB: over the batch bound
		default:
			p = eio.BinaryMessage([]byte{byte(i)})
		}
		if p.Binary {
			want = append(want, string(p.Data))
		} else {
			want = append(want, "4"+string(p.Data))
		}
		if err := s.Send(p); err != nil {
			t.Fatal(err)
		}
	}
	big := eio.TextMessage(bytes.Repeat([]byte("c"), 100<<10)) // a 64-bit frame length
	if err := s.Send(big, eio.BinaryMessage(big.Data)); err != nil {
		t.Fatal(err)
	}
	want = append(want, "4"+string(big.Data), string(big.Data))
	for i, w := range want {
		if _, f := readFrame(t, c); f != w {
			t.Fatalf("message %d: %d bytes, want %d", i, len(f), len(w))
		}
	}
}

// TestWebsocketStalledClient: a client that stops reading is disconnected
// once the data not yet written to it goes over MaxQueuedBytes.
func TestWebsocketStalledClient(t *testing.T) {
	ts := newTestServer(t, &Options{MaxQueuedBytes: 256 << 10}, false)
	c, err := rawWebsocket(ts.ts.Listener.Addr().String(), "/engine.io/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close() // never read
	s := ts.session(t)
	pkt := eio.TextMessage(bytes.Repeat([]byte("x"), 16<<10))
	var sendErr error
	for i := 0; i < 20000 && sendErr == nil; i++ { // at most 320 MB (shared data): far over any socket buffer
		sendErr = s.Send(pkt)
	}
	if !errors.Is(sendErr, ErrQueueFull) {
		t.Fatalf("Send to a stalled client: %v", sendErr)
	}
	if ev := ts.closed(t); ev.reason != ReasonTransportError || !errors.Is(ev.err, ErrQueueFull) {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
}

// logCapture is a slog.Handler that keeps the messages of every record.
type logCapture struct {
	mu   sync.Mutex
	msgs []string
}

func (h *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCapture) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}
func (h *logCapture) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCapture) WithGroup(string) slog.Handler      { return h }

// TestWebsocketCloseHandshake: a session closed while its reader waits for
// the next message completes the close handshake (the peer's close frame
// reaches the closing side, none is lost to the waiting reader).
func TestWebsocketCloseHandshake(t *testing.T) {
	logs := &logCapture{}
	ts := newTestServer(t, &Options{Logger: slog.New(logs)}, true)
	for range 5 {
		c := ts.dial(t, "EIO=4&transport=websocket")
		readFrame(t, c)
		s := ts.session(t)
		writeText(t, c, "4x") // the reader handles a message, then waits
		if _, f := readFrame(t, c); f != "4x" {
			t.Fatalf("echo %q", f)
		}
		s.Close(ReasonForcedClose)
		if code := readClosed(t, c); code != websocket.StatusNormalClosure {
			t.Fatalf("close status %v", code)
		}
		if ev := ts.closed(t); ev.reason != ReasonForcedClose {
			t.Fatalf("close %q", ev.reason)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	for _, m := range logs.msgs {
		if m == "engine: closing a websocket" {
			t.Fatalf("close handshake failed: %v", logs.msgs)
		}
	}
}

// dialCompressing opens a websocket session that offers permessage-deflate;
// the connection is closed at the end of the test.
func dialCompressing(t *testing.T, ts *testServer) (*websocket.Conn, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.base, "http")+"?EIO=4&transport=websocket",
		&websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c, res
}
