package cluster_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// node is a duplex server on a bus, served by its own HTTP server.
type node struct {
	name string
	srv  *server.Server
	hs   *httptest.Server
}

func (n *node) adapter() *cluster.Adapter {
	return n.srv.Of("/").Adapter().(*cluster.Adapter)
}

// newNode starts a server on bus whose sockets join the rooms listed in
// their query ("rooms=a,b") and answer "ping" acks with their name.
func newNode(t *testing.T, bus *cluster.Bus, name string, opts *server.Options, cfg *cluster.Config) *node {
	t.Helper()
	var o server.Options
	if opts != nil {
		o = *opts
	}
	o.Adapter = bus.Adapter(cfg)
	srv := server.New(&o)
	// In a middleware, so that it is done when the client is connected.
	srv.Use(func(s *server.Socket, next func(error)) {
		if r := s.Handshake().Query.Get("rooms"); r != "" {
			s.Join(strings.Split(r, ",")...)
		}
		s.Data().Store("node", name)
		next(nil)
	})
	n := &node{name: name, srv: srv, hs: httptest.NewServer(srv)}
	t.Cleanup(func() {
		n.hs.CloseClientConnections()
		n.hs.Close()
		_ = srv.Close(context.Background())
	})
	return n
}

// peer is a Go client that records what it receives.
type peer struct {
	name string
	sock *client.Socket
	mu   sync.Mutex
	got  []string // "event arg0 arg1..." (raw JSON)
}

func connectPeer(t *testing.T, url, name, rooms string, opts *client.Options) *peer {
	t.Helper()
	var o client.Options
	if opts != nil {
		o = *opts
	}
	if o.Engine.Transports == nil {
		o.Engine.Transports = []string{"websocket"}
	}
	o.Engine.Query = map[string][]string{"rooms": {rooms}, "name": {name}}
	p := &peer{name: name}
	connected := make(chan struct{}, 8)
	p.sock = client.Connect(url, &o)
	p.sock.OnConnect(func() { connected <- struct{}{} })
	p.sock.OnAny(func(e *client.Event) {
		if e.HasAck() {
			_ = e.Ack(name)
		}
		parts := []string{e.Name}
		for _, r := range e.Args.All() {
			parts = append(parts, string(r))
		}
		p.mu.Lock()
		p.got = append(p.got, strings.Join(parts, " "))
		p.mu.Unlock()
	})
	t.Cleanup(func() { p.sock.Manager().Close() })
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not connect", name)
	}
	return p
}

// take returns what p received, waiting until it has n events (or 3 s).
func (p *peer) take(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		p.mu.Lock()
		got := p.got
		p.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			p.mu.Lock()
			p.got = nil
			p.mu.Unlock()
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quiet waits a little and reports anything unexpected p received.
func (p *peer) quiet(t *testing.T) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	if got := p.take(t, 0); len(got) > 0 {
		t.Errorf("%s got %q, want nothing", p.name, got)
	}
}

// eventually polls cond until true or 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sortedIDs(rs []*server.RemoteSocket) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

// front is one listener whose requests go to one node or another (a load
// balancer): clients keep their URL when their node is lost. cut closes
// every connection it accepted, hijacked ones (websockets) included.
type front struct {
	hs     *httptest.Server
	target atomic.Pointer[http.Handler]
	mu     sync.Mutex
	conns  []net.Conn
}

type trackingListener struct {
	net.Listener
	f *front
}

func (l trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.f.mu.Lock()
		l.f.conns = append(l.f.conns, c)
		l.f.mu.Unlock()
	}
	return c, err
}

func newFront(t *testing.T, h http.Handler) *front {
	f := &front{}
	f.set(h)
	f.hs = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*f.target.Load()).ServeHTTP(w, r)
	}))
	f.hs.Listener = trackingListener{Listener: f.hs.Listener, f: f}
	f.hs.Start()
	t.Cleanup(func() {
		f.cut()
		f.hs.Close()
	})
	return f
}

func (f *front) set(h http.Handler) { f.target.Store(&h) }

// cut closes every connection accepted so far, abruptly.
func (f *front) cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
}

var _ = fmt.Sprint
var _ = slices.Sort[[]string]
