package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/duplexio/duplex/server/engine"
)

// Server is a Socket.IO server: an http.Handler to mount where clients
// connect (by convention /socket.io/). Its methods are safe for concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger
	eng  *engine.Server
	main *Namespace

	mu      sync.Mutex
	nsps    map[string]*Namespace
	parents []*ParentNamespace
	closed  bool

	stats stats     // stats.go
	obs   observers // observe.go
}

// New returns a Server configured by opts (nil: the reference's defaults).
func New(opts *Options) *Server {
	srv := &Server{opts: opts.withDefaults(), nsps: make(map[string]*Namespace)}
	srv.log = srv.opts.Logger
	srv.main = srv.Of("/")
	srv.eng = engine.NewServer(srv.opts.engineOptions(srv.onSession))
	return srv
}

func (srv *Server) onSession(s *engine.Session) {
	s.SetHandler(srv.newClient(s, s.Request()))
}

// ServeHTTP serves Engine.IO requests, and the client files when
// Options.ServeClient is set.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if srv.opts.ServeClient != nil && isClientFile(r.URL.Path) {
		srv.opts.ServeClient.ServeHTTP(w, r)
		return
	}
	srv.eng.ServeHTTP(w, r)
}

func isClientFile(path string) bool {
	last := path[strings.LastIndexByte(path, '/')+1:]
	return strings.HasSuffix(last, ".js") || strings.HasSuffix(last, ".wasm")
}

// Close disconnects every client (reason "server shutting down"), refuses new
// ones, closes the namespaces' adapters (stopping their timers) and waits,
// until ctx is done, for every goroutine the server started; then it returns
// ctx's error. A second Close waits again and returns ErrServerClosed.
func (srv *Server) Close(ctx context.Context) error {
	err := srv.eng.Close(ctx)
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return errors.Join(ErrServerClosed, err)
	}
	srv.closed = true
	nsps := make([]*Namespace, 0, len(srv.nsps))
	for _, n := range srv.nsps {
		nsps = append(nsps, n)
	}
	srv.mu.Unlock()
	for _, n := range nsps {
		err = errors.Join(err, n.adapter.Close())
	}
	return err
}

// Engine returns the underlying Engine.IO server.
func (srv *Server) Engine() *engine.Server { return srv.eng }

// Of returns the namespace name, creating it if needed ("chat" is "/chat").
func (srv *Server) Of(name string) *Namespace {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	n := srv.nsps[name]
	if n == nil {
		n = newNamespace(srv, name, nil)
		srv.nsps[name] = n
	}
	return n
}

// namespaceFor returns the namespace a client connecting to name joins:
// an existing one, or a new child of a matching parent; nil if none.
func (srv *Server) namespaceFor(name string, auth json.RawMessage) *Namespace {
	srv.mu.Lock()
	n := srv.nsps[name]
	parents := srv.parents
	srv.mu.Unlock()
	if n != nil {
		return n
	}
	for _, p := range parents {
		if !p.match(name, auth) {
			continue
		}
		srv.mu.Lock()
		n = srv.nsps[name]
		if n == nil {
			n = newNamespace(srv, name, p)
			srv.nsps[name] = n
			p.mu.Lock()
			p.children = append(p.children, n)
			p.mu.Unlock()
		}
		srv.mu.Unlock()
		return n
	}
	return nil
}

// The main namespace's methods, as the reference's Server offers them.

// OnConnection registers h for every socket connecting to the main namespace.
func (srv *Server) OnConnection(h func(s *Socket)) { srv.main.OnConnection(h) }

// Use adds a middleware to the main namespace (see Namespace.Use).
func (srv *Server) Use(mw func(s *Socket, next func(error))) { srv.main.Use(mw) }

// Sockets returns the connected sockets of the main namespace.
func (srv *Server) Sockets() []*Socket { return srv.main.Sockets() }

// To returns a broadcast to rooms of the main namespace.
func (srv *Server) To(rooms ...string) BroadcastOperator { return srv.main.To(rooms...) }

// In is To.
func (srv *Server) In(rooms ...string) BroadcastOperator { return srv.main.To(rooms...) }

// Except returns a broadcast to the main namespace's sockets not in rooms.
func (srv *Server) Except(rooms ...string) BroadcastOperator { return srv.main.Except(rooms...) }

// Local returns a broadcast to this server's sockets of the main namespace.
func (srv *Server) Local() BroadcastOperator { return srv.main.Local() }

// Volatile returns a volatile broadcast to the main namespace.
func (srv *Server) Volatile() BroadcastOperator { return srv.main.Volatile() }

// Compress returns a broadcast to the main namespace with the compress flag.
func (srv *Server) Compress(c bool) BroadcastOperator { return srv.main.Compress(c) }

// Timeout returns a broadcast to the main namespace whose acks are awaited at
// most d.
func (srv *Server) Timeout(d time.Duration) BroadcastOperator { return srv.main.Timeout(d) }

// Emit emits event to every socket of the main namespace.
func (srv *Server) Emit(event string, args ...any) error { return srv.main.Emit(event, args...) }

// EmitWithAck emits event to every socket of the main namespace and collects
// their replies.
func (srv *Server) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	return srv.main.EmitWithAck(ctx, event, args...)
}

// FetchSockets returns the sockets of the main namespace.
func (srv *Server) FetchSockets(ctx context.Context) ([]*RemoteSocket, error) {
	return srv.main.FetchSockets(ctx)
}

// SocketsJoin makes every socket of the main namespace join rooms.
func (srv *Server) SocketsJoin(rooms ...string) error { return srv.main.SocketsJoin(rooms...) }

// SocketsLeave makes every socket of the main namespace leave rooms.
func (srv *Server) SocketsLeave(rooms ...string) error { return srv.main.SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket of the main namespace.
func (srv *Server) DisconnectSockets(close bool) error { return srv.main.DisconnectSockets(close) }

// ServerSideEmit emits event to the other servers of the cluster.
func (srv *Server) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	return srv.main.ServerSideEmit(ctx, event, args...)
}
