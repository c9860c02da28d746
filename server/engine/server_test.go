package engine

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

func TestServerClose(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c1 := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c1)
	ws := ts.session(t)
	_ = ws.Send(eio.TextMessage([]byte("bye")))
	sid, _ := ts.handshake(t)
	polled := ts.session(t)
	pending := make(chan response, 1)
	go func() { pending <- ts.poll(t, sid) }()
	waitGetPending(t, polled)
	ts.handshake(t) // a polling session with no GET pending
	idle := ts.session(t)
	if n := ts.srv.SessionCount(); n != 3 {
		t.Fatalf("SessionCount = %d", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := ts.srv.SessionCount(); n != 0 {
		t.Fatalf("SessionCount after Close = %d", n)
	}
	for range 3 {
		if ev := ts.closed(t); ev.reason != ReasonServerShutdown {
			t.Fatalf("close %q", ev.reason)
		}
	}
	for _, s := range []*Session{ws, polled, idle} {
		if s.Context().Err() == nil {
			t.Fatal("session context not done")
		}
	}
	if res := <-pending; res.body != "1" {
		t.Fatalf("pending GET: %q", res.body)
	}
	if _, f := readFrame(t, c1); f != "4bye" {
		t.Fatalf("websocket: %q", f)
	}
	readClosed(t, c1)
	if res := ts.do(t, "GET", "EIO=4&transport=polling", "", nil); res.status != 400 {
		t.Fatalf("handshake after Close: %d", res.status)
	}
	// Close is idempotent.
	if err := ts.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestServerCloseDeadline(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	_ = sid
	// A closing session waiting for its GET is dropped when ctx ends.
	s.Close(ReasonForcedClose)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := ts.srv.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v", err)
	}
	if ev := ts.closed(t); ev.reason != ReasonForcedClose {
		t.Fatalf("close %q", ev.reason)
	}
}

func TestSendVolatile(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	if s.SendVolatile(eio.TextMessage([]byte("lost"))) {
		t.Fatal("volatile accepted without a pending GET")
	}
	pending := make(chan response, 1)
	go func() { pending <- ts.poll(t, sid) }()
	waitGetPending(t, s)
	if !s.SendVolatile(eio.TextMessage([]byte("v"))) {
		t.Fatal("volatile dropped with a GET pending")
	}
	if res := <-pending; res.body != "4v" {
		t.Fatalf("GET: %q", res.body)
	}
	_ = s.Send(eio.TextMessage([]byte("queued")))
	if s.SendVolatile(eio.TextMessage([]byte("lost"))) {
		t.Fatal("volatile accepted with a non-empty queue")
	}

	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	ws := ts.session(t)
	waitWritten(t, ws) // the open packet's flush may still be finishing after the client read it
	if !ws.SendVolatile(eio.TextMessage([]byte("v"))) {
		t.Fatal("volatile dropped on an idle websocket")
	}
	if _, f := readFrame(t, c); f != "4v" {
		t.Fatalf("%q", f)
	}
	ws.Close(ReasonForcedClose)
	if ws.SendVolatile(eio.TextMessage([]byte("v"))) {
		t.Fatal("volatile accepted on a closed session")
	}
}

// waitWritten waits until a websocket session has written everything and its
// flush has ended (a volatile packet is dropped while a write is in
// progress, as in the reference).
func waitWritten(t *testing.T, s *Session) {
	t.Helper()
	for range 500 {
		s.mu.Lock()
		done := !s.flushing && len(s.queue) == 0
		s.mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the session's flush did not end")
}

func TestQueueBound(t *testing.T) {
	ts := newTestServer(t, &Options{MaxQueuedPackets: 4}, false)
	ts.handshake(t)
	s := ts.session(t)
	if err := s.Send(make([]eio.Packet, 4)...); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(eio.TextMessage(nil)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Send over the bound: %v", err)
	}
	if ev := ts.closed(t); ev.reason != ReasonTransportError || !errors.Is(ev.err, ErrQueueFull) {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
	if err := s.Send(eio.TextMessage(nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after close: %v", err)
	}
}

// handlerFunc adapts functions to Handler.
type handlerFunc struct {
	msg   func(eio.Packet)
	close func(string, error)
}

func (h handlerFunc) OnMessage(p eio.Packet)           { h.msg(p) }
func (h handlerFunc) OnClose(reason string, err error) { h.close(reason, err) }

// newRawServer serves srv at /engine.io/ on an httptest.Server (closed with
// the test).
func newRawServer(t *testing.T, srv *Server) *testServer {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", srv)
	hts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		hts.Close()
	})
	return &testServer{srv: srv, ts: hts, base: hts.URL + "/engine.io/"}
}

func TestSendFromOnSession(t *testing.T) {
	srv := NewServer(&Options{OnSession: func(s *Session) {
		s.SetHandler(discardHandler{})
		_ = s.Send(eio.TextMessage([]byte("welcome")))
	}})
	ts := newRawServer(t, srv)
	res := ts.do(t, "GET", "EIO=4&transport=polling", "", nil)
	open, msg, ok := strings.Cut(res.body, "\x1e")
	if !ok || msg != "4welcome" {
		t.Fatalf("handshake body %q", res.body)
	}
	openHandshake(t, open)
	c := ts.dial(t, "EIO=4&transport=websocket")
	if _, f := readFrame(t, c); f[0] != '0' {
		t.Fatalf("first frame %q", f)
	}
	if _, f := readFrame(t, c); f != "4welcome" {
		t.Fatalf("second frame %q", f)
	}
}

// TestCloseInHandler checks that OnClose comes after OnMessage returns when
// the handler closes its session, and that no OnMessage follows it.
func TestCloseInHandler(t *testing.T) {
	var mu sync.Mutex
	var events []string
	closed := make(chan struct{})
	srv := NewServer(&Options{OnSession: func(s *Session) {
		s.SetHandler(handlerFunc{
			msg: func(p eio.Packet) {
				mu.Lock()
				events = append(events, "msg "+string(p.Data))
				mu.Unlock()
				s.Close(ReasonForcedClose)
				if err := s.Send(p); !errors.Is(err, ErrClosed) {
					t.Errorf("Send in a closing session: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				events = append(events, "msg end")
				mu.Unlock()
			},
			close: func(reason string, err error) {
				mu.Lock()
				events = append(events, "close "+reason)
				mu.Unlock()
				close(closed)
			},
		})
	}})
	ts := newRawServer(t, srv)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	writeText(t, c, "4a")
	writeText(t, c, "4b")
	readClosed(t, c)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("no OnClose")
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(events, ","); got != "msg a,msg end,close forced close" {
		t.Fatalf("events %s", got)
	}
}

func TestCloseInOnSession(t *testing.T) {
	srv := NewServer(&Options{Logger: discardLogger(), OnSession: func(s *Session) {
		s.SetHandler(discardHandler{})
		_ = s.Send(eio.TextMessage([]byte("only this")))
		s.Close(ReasonForcedClose)
	}})
	ts := newRawServer(t, srv)
	c := ts.dial(t, "EIO=4&transport=websocket")
	if _, f := readFrame(t, c); f[0] != '0' {
		t.Fatalf("first frame %q", f)
	}
	if _, f := readFrame(t, c); f != "4only this" {
		t.Fatalf("second frame %q", f)
	}
	if code := readClosed(t, c); code != 1000 {
		t.Fatalf("close status %v", code)
	}
	res := ts.do(t, "GET", "EIO=4&transport=polling", "", nil)
	open, rest, _ := strings.Cut(res.body, "\x1e")
	if rest != "4only this" {
		t.Fatalf("handshake body %q", res.body)
	}
	sid := openHandshake(t, open).SID
	if res := ts.poll(t, sid); res.body != "1" {
		t.Fatalf("GET: %q", res.body)
	}
	// The session leaves the table right after its last GET is answered.
	for i := 0; srv.SessionCount() != 0; i++ {
		if i == 500 {
			t.Fatalf("SessionCount = %d", srv.SessionCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueueFullInOnSession(t *testing.T) {
	srv := NewServer(&Options{Logger: discardLogger(), MaxQueuedPackets: 2, OnSession: func(s *Session) {
		if err := s.Send(eio.TextMessage(nil), eio.TextMessage(nil)); !errors.Is(err, ErrQueueFull) {
			t.Errorf("Send: %v", err)
		}
		s.SetHandler(discardHandler{})
	}})
	ts := newRawServer(t, srv)
	if res := ts.do(t, "GET", "EIO=4&transport=polling", "", nil); res.status != 400 {
		t.Fatalf("handshake: %d %q", res.status, res.body)
	}
	c := ts.dial(t, "EIO=4&transport=websocket")
	readClosed(t, c)
	if n := srv.SessionCount(); n != 0 {
		t.Fatalf("SessionCount = %d", n)
	}
}

func TestQueueByteBound(t *testing.T) {
	ts := newTestServer(t, &Options{MaxQueuedBytes: 100}, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	// One Send to a session with nothing unwritten fits, whatever its size.
	if err := s.Send(eio.TextMessage(bytes.Repeat([]byte("x"), 1000))); err != nil {
		t.Fatal(err)
	}
	if r := ts.poll(t, sid); len(r.body) != 1001 {
		t.Fatalf("GET: %d bytes", len(r.body))
	}
	for range 2 {
		if err := s.Send(eio.TextMessage(make([]byte, 40))); err != nil {
			t.Fatal(err)
		}
	}
	if s.SendVolatile(eio.TextMessage(make([]byte, 40))) {
		t.Fatal("volatile packet queued")
	}
	if err := s.Send(eio.TextMessage(make([]byte, 40))); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Send over the byte bound: %v", err)
	}
	if ev := ts.closed(t); ev.reason != ReasonTransportError || !errors.Is(ev.err, ErrQueueFull) {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
}

func TestSessionContext(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c) // open
	s := ts.session(t)
	ctx := s.Context()
	if ctx.Err() != nil || s.Context() != ctx {
		t.Fatal("context of an open session")
	}
	s.Close(ReasonForcedClose)
	readClosed(t, c)
	ts.closed(t)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session context not done after close")
	}
}
