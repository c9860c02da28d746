package engine

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// ServeOptions configures Server.Serve.
type ServeOptions struct {
	// Path is the request path the Server answers polling requests at,
	// e.g. "/engine.io/" (the default): where HTTP's handler mounts it.
	// Only requests for exactly this path (and a query) are served
	// directly.
	Path string
	// HTTP serves every other request, on the connections Serve hands to it
	// (it must route Path to the Server too). Required. Its
	// ReadHeaderTimeout (default 10 s), IdleTimeout (default ReadTimeout,
	// then 2 min), ReadTimeout and WriteTimeout apply to the connections
	// Serve keeps as well.
	HTTP *http.Server
}

// Defaults of Serve's timeouts when ServeOptions.HTTP sets none.
const (
	defaultServeReadHeaderTimeout = 10 * time.Second
	defaultServeIdleTimeout       = 2 * time.Minute
)

// ErrServeOptions is returned by Serve when ServeOptions.HTTP is nil.
var ErrServeOptions = errors.New("engine: Serve needs ServeOptions.HTTP")

// Serve accepts HTTP/1.1 connections from ln and answers the long-polling
// requests (handshakes included) itself, without net/http: a strict parser
// of its own reads each request head, and a polling GET or POST for Path,
// in the one unambiguous form it accepts (see parseHead), is answered as
// ServeHTTP answers it (same status, headers, body), the connection kept
// alive; a handshake's AllowRequest gets the *http.Request that net/http's
// ReadRequest reads from the same bytes. Anything else (a websocket,
// another path, a session Serve does not know, a head it does not accept)
// hands the connection, with every byte already read in front, to
// opts.HTTP, which Serve runs on an in-memory listener; the connection then
// stays with net/http.
//
// A connection changes hands only between two requests, and only after a
// request Serve would not answer: every request Serve answers was read
// whole by Serve, every other one reaches net/http whole and first. The two
// parsers never both read one request, so they cannot disagree about where
// it ends (no request smuggling).
//
// Requests Serve answers do not go through opts.HTTP.Handler: middleware in
// front of the Server (logging, authentication) sees the websocket but not
// the polling requests. ln should give
// plain TCP connections (TLS termination is not Serve's: put a proxy in
// front).
//
// Serve returns when ctx is done (ctx.Err()), when opts.HTTP is shut down
// or closed (http.ErrServerClosed), or when ln fails (its error), after
// closing ln and the connections it kept, and once every goroutine it
// started has ended (connections already handed to opts.HTTP are net/http's:
// Shutdown or Close ends them). To stop gracefully: Close the Server
// first (pending GETs are answered with the close packet), then
// opts.HTTP.Shutdown, which also ends Serve.
func (srv *Server) Serve(ctx context.Context, ln net.Listener, opts ServeOptions) error {
	if opts.HTTP == nil {
		return ErrServeOptions
	}
	fs := newFastServer(srv, opts, ln.Addr())
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	fs.ctx = ctx
	defer cancel()

	httpDone := make(chan error, 1)
	go func() { httpDone <- opts.HTTP.Serve(fs.handoff) }()
	var httpErr error
	stopped := make(chan struct{})
	go func() { // ends the accept loop
		defer close(stopped)
		select {
		case <-ctx.Done():
		case httpErr = <-httpDone:
			httpDone <- httpErr
			cancel()
		}
		_ = ln.Close()
	}()

	err := fs.accept(ctx, ln)
	cancel()
	<-stopped
	fs.shutdown()
	_ = fs.handoff.Close()
	httpErr = <-httpDone
	fs.wg.Wait()
	switch {
	case err != nil:
		return err // ln failed
	case parent.Err() != nil:
		return context.Cause(parent)
	case errors.Is(httpErr, http.ErrServerClosed):
		return httpErr
	case httpErr != nil:
		return httpErr
	}
	return http.ErrServerClosed
}

// fastServer is the state of one Serve call.
type fastServer struct {
	srv     *Server
	ctx     context.Context // Serve's: the handshake requests' context
	path    string
	handoff *handoffListener

	readHeader, idle, read, write time.Duration

	wg     sync.WaitGroup // the connections' goroutines
	mu     sync.Mutex
	conns  map[*fastConn]struct{} // kept (not handed over), not yet closed
	closed bool
	dates  dateCache
}

func newFastServer(srv *Server, opts ServeOptions, addr net.Addr) *fastServer {
	hs := opts.HTTP
	fs := &fastServer{
		srv:        srv,
		path:       opts.Path,
		handoff:    newHandoffListener(addr),
		readHeader: hs.ReadHeaderTimeout,
		idle:       hs.IdleTimeout,
		read:       hs.ReadTimeout,
		write:      hs.WriteTimeout,
		conns:      make(map[*fastConn]struct{}),
	}
	if fs.path == "" {
		fs.path = "/engine.io/"
	}
	if fs.readHeader <= 0 {
		fs.readHeader = hs.ReadTimeout
	}
	if fs.readHeader <= 0 {
		fs.readHeader = defaultServeReadHeaderTimeout
	}
	if fs.idle <= 0 {
		fs.idle = hs.ReadTimeout
	}
	if fs.idle <= 0 {
		fs.idle = defaultServeIdleTimeout
	}
	return fs
}

// accept accepts connections until ln fails or is closed; nil when ctx
// ended it.
func (fs *fastServer) accept(ctx context.Context, ln net.Listener) error {
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				// As net/http: back off on EMFILE and the like.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return nil
				}
				continue
			}
			return err
		}
		delay = 0
		c := newFastConn(fs, conn)
		if !fs.track(c) {
			_ = conn.Close()
			continue
		}
		fs.wg.Add(1)
		go func() {
			defer fs.wg.Done()
			c.serve()
		}()
	}
}

// track records a kept connection; false once Serve is ending.
func (fs *fastServer) track(c *fastConn) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return false
	}
	fs.conns[c] = struct{}{}
	return true
}

// untrack forgets a connection closed or handed over.
func (fs *fastServer) untrack(c *fastConn) {
	fs.mu.Lock()
	delete(fs.conns, c)
	fs.mu.Unlock()
}

// shutdown closes every kept connection (their goroutines then end: a
// parked GET sees its connection fail).
func (fs *fastServer) shutdown() {
	fs.mu.Lock()
	fs.closed = true
	conns := make([]*fastConn, 0, len(fs.conns))
	for c := range fs.conns {
		conns = append(conns, c)
	}
	fs.mu.Unlock()
	for _, c := range conns {
		_ = c.conn.Close()
	}
}
