package main

import (
	"net/http"
	"time"
)

// Timeouts bound what a client can hold of the demo server. A zero field
// means its default (defaultTimeouts).
type Timeouts struct {
	// ReadHeader bounds the time to read a request's headers.
	ReadHeader time.Duration
	// Read bounds the time to read a whole request, body included: a polling
	// POST whose body is trickled byte by byte is cut. It does not cut what
	// is meant to last: net/http clears the read deadline once a request has
	// been read, so a long-polling GET waits as long as Engine.IO wants and a
	// WebSocket (hijacked after its request was read) keeps no deadline.
	Read time.Duration
	// Idle bounds how long a keep-alive connection waits for its next request.
	Idle time.Duration
	// Shutdown is the whole budget of a graceful stop: every connection is
	// closed within it (see shutdown).
	Shutdown time.Duration
}

// defaultTimeouts are the demo's. Idle is Node's http.Server keepAliveTimeout
// (5 s); a body of maxHttpBufferSize (1 MB) arrives well within Read on any
// working connection.
var defaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Idle:       5 * time.Second,
	Shutdown:   5 * time.Second,
}

// withDefaults returns t with its zero fields set to the defaults.
func (t Timeouts) withDefaults() Timeouts {
	d := defaultTimeouts
	if t.ReadHeader > 0 {
		d.ReadHeader = t.ReadHeader
	}
	if t.Read > 0 {
		d.Read = t.Read
	}
	if t.Idle > 0 {
		d.Idle = t.Idle
	}
	if t.Shutdown > 0 {
		d.Shutdown = t.Shutdown
	}
	return d
}

// newHTTPServer returns the demo's http.Server for h. It sets no WriteTimeout:
// net/http sets that deadline when a request starts, so it would cut every
// long-polling GET that waits longer, and a hijacked WebSocket keeps it.
func newHTTPServer(h http.Handler, t Timeouts) *http.Server {
	t = t.withDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
	}
}
