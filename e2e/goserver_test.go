//go:build !js

package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

// goServer is our Socket.IO server, in process, speaking the same small test
// protocol as interop/e2e/server.js (welcome, echo, join, broadcast, ask),
// behind an HTTP server that also serves the test pages and the browser
// client. It tracks its TCP connections so that a test can cut them while
// the server keeps running.
type goServer struct {
	t      testing.TB
	srv    *server.Server
	hs     *http.Server
	ln     net.Listener
	origin string
	done   chan struct{}

	events lines // "name arg" lines, in arrival order

	mu        sync.Mutex
	conns     map[net.Conn]bool
	wsRefused int
}

// goServerOptions tunes startGoServer.
type goServerOptions struct {
	addr      string          // listen address; "" = 127.0.0.1:0
	opts      *server.Options // nil = defaults (+ ServeClient and CORS set here)
	refuseWS  bool            // answer websocket requests with 403 (forces polling)
	onConnect func(s *server.Socket)
}

func startGoServer(t testing.TB, o goServerOptions) *goServer {
	t.Helper()
	g := &goServer{t: t, conns: make(map[net.Conn]bool), done: make(chan struct{})}
	opts := server.Options{}
	if o.opts != nil {
		opts = *o.opts
	}
	opts.ServeClient = clientFiles(t)
	opts.Engine.CORS = &engine.CORS{Origins: []string{"*"}}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	g.srv = server.New(&opts)
	g.srv.OnConnection(func(s *server.Socket) {
		g.record("connection " + s.ID() + " recovered=" + boolText(s.Recovered()) + " auth=" + string(s.Handshake().Auth))
		if !s.Recovered() {
			s.Emit("welcome", map[string]any{"id": s.ID(), "recovered": s.Recovered()})
		}
		g.scenario(s)
		if o.onConnect != nil {
			o.onConnect(s)
		}
	})
	mux := assetMux(t, nil)
	mux.Handle("/socket.io/", g.srv)
	var h http.Handler = mux
	if o.refuseWS {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("transport") == "websocket" {
				g.mu.Lock()
				g.wsRefused++
				g.mu.Unlock()
				http.Error(w, "websocket refused by the test", http.StatusForbidden)
				return
			}
			mux.ServeHTTP(w, r)
		})
	}
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var err error
	for range 50 { // a restarted server may wait for its port to be released
		if g.ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	g.origin = "http://" + g.ln.Addr().String()
	g.hs = &http.Server{Handler: h, ConnState: g.connState}
	go func() {
		defer close(g.done)
		_ = g.hs.Serve(g.ln)
	}()
	t.Cleanup(g.stop)
	return g
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// scenario installs the test protocol's handlers on a socket.
func (g *goServer) scenario(s *server.Socket) {
	s.On("hello-message", func(e *server.Event) { g.record("hello-message " + string(e.Args.Raw(0))) })
	s.On("echo", func(e *server.Event) {
		vals, err := e.Args.Values()
		if err != nil {
			g.t.Errorf("echo args: %v", err)
			return
		}
		if e.HasAck() {
			e.Ack(vals...)
		} else {
			s.Emit("echo", vals...)
		}
	})
	s.On("join", func(e *server.Event) {
		var room string
		_ = e.Decode(&room)
		s.Join(room)
		g.record("join " + s.ID() + " " + room)
		if e.HasAck() {
			e.Ack(room)
		}
	})
	s.On("broadcast", func(e *server.Event) {
		var room string
		_ = e.Decode(&room)
		vals, _ := e.Args.Slice(1).Values()
		s.To(room).Emit("broadcast", vals...)
	})
	s.On("ask", func(e *server.Event) {
		var q string
		_ = e.Decode(&q)
		go func() { // EmitWithAck must not run on the socket's read loop
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			a, err := s.EmitWithAck(ctx, "question", q)
			if err != nil {
				s.Emit("answer", "error: "+err.Error())
				return
			}
			var ans string
			_ = a.Decode(0, &ans)
			s.Emit("answer", ans)
		}()
	})
	s.On("count", func(e *server.Event) { g.record("count " + string(e.Args.Raw(0))) })
	s.On("done", func(e *server.Event) {
		g.record("done " + string(e.Args.Raw(0)))
		if e.HasAck() {
			e.Ack("ok")
		}
	})
	s.OnDisconnect(func(reason string) { g.record("disconnect " + s.ID() + " " + reason) })
}

func (g *goServer) record(line string) { g.events.add(line) }

// waitEvent waits for a recorded line with the prefix and returns it.
func (g *goServer) waitEvent(prefix string, timeout time.Duration) string {
	g.t.Helper()
	l, err := g.events.wait(func(l string) bool { return strings.HasPrefix(l, prefix) }, 1, timeout, nil)
	if err != nil {
		g.t.Fatalf("the Go server saw no %q: %v; it saw:\n%s", prefix, err, &g.events)
	}
	return l
}

// recorded returns the lines recorded so far.
func (g *goServer) recorded() []string { return g.events.snapshot() }

func (g *goServer) connState(c net.Conn, st http.ConnState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch st {
	case http.StateNew, http.StateActive, http.StateIdle, http.StateHijacked:
		g.conns[c] = st == http.StateHijacked // the engine's, closed by it
	case http.StateClosed:
		delete(g.conns, c)
	}
}

// cut closes every TCP connection (hijacked websockets included) while the
// server keeps running: the browser sees its transport fail.
func (g *goServer) cut() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for c := range g.conns {
		// A hijacked websocket belongs to the engine (it may be parked in
		// its epoll, which does not see a close by others): shut the socket
		// down both ways, as a network cut seen by both ends, and let its
		// owner close it.
		if tc, ok := c.(*net.TCPConn); ok && g.conns[c] {
			if tc.CloseRead() == nil && tc.CloseWrite() == nil {
				n++
			}
			delete(g.conns, c)
			continue
		}
		if c.Close() == nil {
			n++
		}
		delete(g.conns, c)
	}
	return n
}

// stop closes the Socket.IO server and the HTTP server, as a process that
// stops would: the clients' transports close.
func (g *goServer) stop() {
	select {
	case <-g.done:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.srv.Close(ctx); err != nil && !errors.Is(err, server.ErrServerClosed) {
		g.t.Errorf("closing the Go server: %v", err)
	}
	_ = g.hs.Close()
	g.cut()
	<-g.done
}
