package server

import (
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/engine"
)

// fakeConn stands in for an Engine.IO session: it records what is sent.
type fakeConn struct {
	mu       sync.Mutex
	sent     []string // text messages as is, binary ones as "<hex>"
	closed   string
	volatile bool // SendVolatile delivers
	signal   chan struct{}
}

func (f *fakeConn) Send(pkts ...eio.Packet) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed != "" {
		return engine.ErrClosed
	}
	for _, p := range pkts {
		if p.Binary {
			f.sent = append(f.sent, "<"+hex.EncodeToString(p.Data)+">")
		} else {
			f.sent = append(f.sent, string(p.Data))
		}
	}
	select {
	case f.signal <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeConn) SendVolatile(pkts ...eio.Packet) bool {
	f.mu.Lock()
	ok := f.volatile && f.closed == ""
	f.mu.Unlock()
	if ok {
		_ = f.Send(pkts...)
	}
	return ok
}

func (f *fakeConn) Close(reason string) {
	f.mu.Lock()
	if f.closed == "" {
		f.closed = reason
	}
	f.mu.Unlock()
}

// take returns and forgets what was sent so far.
func (f *fakeConn) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sent
	f.sent = nil
	return s
}

func (f *fakeConn) closedWith() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// waitSent waits until something matching prefix was sent.
func (f *fakeConn) waitSent(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		f.mu.Lock()
		for i, s := range f.sent {
			if strings.HasPrefix(s, prefix) {
				f.sent = slices.Delete(f.sent, i, i+1)
				f.mu.Unlock()
				return s
			}
		}
		f.mu.Unlock()
		select {
		case <-f.signal:
		case <-deadline:
			t.Fatalf("nothing sent with prefix %q (sent %q)", prefix, f.take())
		}
	}
}

type fakeClient struct {
	*fakeConn
	c *client
}

// newServer returns a Server closed at the end of the test.
func newServer(t testing.TB, opts *Options) *Server {
	srv := New(opts)
	t.Cleanup(func() { _ = srv.Close(t.Context()) })
	return srv
}

// dial attaches a fake session to srv.
func dial(srv *Server) *fakeClient {
	fc := &fakeConn{volatile: true, signal: make(chan struct{}, 1)}
	req := &requestInfo{RemoteAddr: "127.0.0.1:1234", Time: time.Now()}
	c := srv.newClient(fc, req)
	return &fakeClient{fc, c}
}

// in feeds text messages to the client.
func (f *fakeClient) in(msgs ...string) {
	for _, m := range msgs {
		f.c.OnMessage(eio.TextMessage([]byte(m)))
	}
}

// connect joins nsp ("/" by default) and returns the socket id.
func (f *fakeClient) connect(t *testing.T, msg string) {
	t.Helper()
	f.in(msg)
	f.waitSent(t, "0")
}

// socketFor returns the connected socket of srv's main namespace with the
// most recent connection.
func onlySocket(t *testing.T, n *Namespace) *Socket {
	t.Helper()
	ss := n.Sockets()
	if len(ss) != 1 {
		t.Fatalf("%d sockets, want 1", len(ss))
	}
	return ss[0]
}
