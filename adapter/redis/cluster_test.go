//go:build !js

package redis

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/server"
)

// goNode is a duplex server on a Redis adapter, with the scripted handlers
// of interop/cluster/node.js: a client's data is {name, node} (name from the
// handshake query), it joins the rooms of the query "rooms"; serverSideEmit
// "hello" is recorded and answered with the node's name.
type goNode struct {
	name   string
	srv    *server.Server
	url    string
	client Client
	logs   *logBuffer

	mu       sync.Mutex
	sse      []server.Args // serverSideEmit "hello" received on "/"
	sseOther int           // on other namespaces
}

// logBuffer collects a node's logs for the fault tests.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(l.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no log %q in %v; logs:\n%s", s, timeout, l.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newAdapter makes the Options.Adapter of a node from its Redis client and
// logger.
type newAdapter func(c Client, log *slog.Logger) func(*server.Namespace) server.Adapter

func classicMode(opts ClassicOptions) newAdapter {
	return func(c Client, log *slog.Logger) func(*server.Namespace) server.Adapter {
		opts.Logger = log
		return NewClassic(c, &opts).Adapter
	}
}

func startGoNode(t testing.TB, name, redisAddr string, mode newAdapter, configure ...func(*server.Options)) *goNode {
	t.Helper()
	n := &goNode{name: name, logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(n.logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(ClientOptions{Addrs: []string{redisAddr}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	n.client = c
	opts := &server.Options{Adapter: mode(c, log), Logger: log}
	for _, f := range configure {
		f(opts)
	}
	n.srv = server.New(opts)
	for _, name := range []string{"/", "/admin"} {
		nsp := n.srv.Of(name)
		n.setup(nsp)
	}
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", n.srv)
	ts := httptest.NewServer(mux)
	n.url = ts.URL
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = n.srv.Close(ctx)
		ts.Close()
		c.Close()
	})
	return n
}

// setup installs the scripted handlers on nsp.
func (n *goNode) setup(nsp *server.Namespace) {
	nsp.OnConnection(func(s *server.Socket) {
		q := s.Handshake().Query
		s.Data().Store("name", q.Get("name"))
		s.Data().Store("node", n.name)
		if r := q.Get("rooms"); r != "" {
			s.Join(strings.Split(r, ",")...)
		}
	})
	nsp.OnServerSideEmit("hello", func(args server.Args) {
		n.mu.Lock()
		if nsp.Name() == "/" {
			n.sse = append(n.sse, args)
		} else {
			n.sseOther++
		}
		n.mu.Unlock()
	})
	if a, ok := nsp.Adapter().(*ClassicAdapter); ok {
		a.OnServerSideEmit("hello", func(args server.Args, ack func(any) error) { _ = ack(n.name) })
	}
}

func (n *goNode) sseCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.sse)
}

// received returns the events named event that client got, from the
// clients.js process.
func received(cl *nodeproc.Proc, client, event string) []map[string]any {
	return cl.EventsWhere(func(e map[string]any) bool {
		return str(e, "ev") == "event" && str(e, "name") == client && str(e, "event") == event
	})
}

// expectDeliveries waits until every client in want got event, then checks
// that after a grace period each client got it exactly as often as want says
// (0 for the others).
func expectDeliveries(t *testing.T, cl *nodeproc.Proc, clients []string, event string, want map[string]bool) {
	t.Helper()
	ok := cl.WaitEvents(10*time.Second, func(evs []map[string]any) bool {
		got := map[string]bool{}
		for _, e := range evs {
			if str(e, "ev") == "event" && str(e, "event") == event {
				got[str(e, "name")] = true
			}
		}
		for c := range want {
			if !got[c] {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Errorf("%s: not every client got it", event)
	}
	time.Sleep(150 * time.Millisecond)
	for _, c := range clients {
		n := len(received(cl, c, event))
		w := 0
		if want[c] {
			w = 1
		}
		if n != w {
			t.Errorf("%s: client %s got it %d times, want %d", event, c, n, w)
		}
	}
}

// str is a helper for event fields.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
