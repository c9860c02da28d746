package server

import (
	"context"
	"net"
	"net/http"

	"github.com/duplexio/duplex/server/engine"
)

// ServeOptions configures Server.Serve.
type ServeOptions struct {
	// Path is where HTTP's handler mounts the Server (default
	// "/socket.io/"): the long-polling requests for exactly this path are
	// answered by Serve itself.
	Path string
	// HTTP serves every other request (websockets, other paths, heads
	// Serve does not read), on the connections Serve hands to it; its handler must route
	// Path to the Server. Required. Its timeouts apply to the connections
	// Serve keeps too (see engine.ServeOptions).
	HTTP *http.Server
}

// Serve accepts connections from ln and answers the long-polling requests
// of connected clients itself, with an HTTP/1.1 reader of its own that costs
// less than net/http; every other request goes to opts.HTTP, which
// Serve runs (so call Serve instead of opts.HTTP.Serve). It is opt-in:
// mounting the Server as an http.Handler, the default, is enough for
// everything; Serve only makes polling cheaper. The answers are the same;
// what differs is that polling requests skip opts.HTTP.Handler's
// middleware. See engine.Server.Serve for the details (how a connection is
// handed to net/http, why the two never read one request differently, the
// timeouts), and docs/operations.md.
//
// Serve returns when ctx is done, when opts.HTTP is shut down (or closed),
// or when ln fails. To stop gracefully, Close the Server, then
// opts.HTTP.Shutdown.
func (srv *Server) Serve(ctx context.Context, ln net.Listener, opts ServeOptions) error {
	if opts.Path == "" {
		opts.Path = "/socket.io/"
	}
	return srv.eng.Serve(ctx, ln, engine.ServeOptions{Path: opts.Path, HTTP: opts.HTTP})
}
