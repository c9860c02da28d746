//go:build !js

package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// httpConn is one persistent HTTP/1.1 client connection of a polling Conn:
// requests written whole in one write, responses read with readResponse
// into a body buffer it reuses, one request at a time, by one goroutine
// (its owner). It is the load generator's own client, not net/http's: the
// load generator's CPU per request must stay well under the server's, or
// the server under test is never saturated and a wakeup per request is
// charged to it (bench/README.md). No goroutine watches the connection
// between requests; a connection idle for idleTimeout is closed and a new
// one dialled before the next request, below the keep-alive timeout of the
// servers (Node's: 5 s), so a request is never sent on a connection the
// server is closing.
type httpConn struct {
	dial    func(ctx context.Context) (net.Conn, error)
	limit   int           // largest response body accepted
	idle    time.Duration // reuse limit of an idle connection
	br      *bufio.Reader // reads nc; kept across redials
	body    []byte        // the last response's body
	lastUse time.Time     // end of the last response
	dials   int           // connections opened (tests check the reuse)

	mu     sync.Mutex // guards nc and closed against shutdown from another goroutine
	nc     net.Conn   // nil: none open
	closed bool
}

// httpBufferSize is the read buffer of an httpConn: a head line must fit.
// A larger body is read straight into the body buffer.
const httpBufferSize = 4 << 10

// errHTTPConnClosed is what an httpConn's requests return after shutdown.
var errHTTPConnClosed = errors.New("loadgen: HTTP connection shut down")

// roundTrip writes req (a whole request, head and body) and reads the
// response; it returns the status and the body (valid until the next
// roundTrip). ctx bounds the dial of a new connection only: a request in
// flight ends when shutdown closes the connection. Any error closes the
// connection (the next request dials a new one).
func (h *httpConn) roundTrip(ctx context.Context, req []byte) (int, []byte, error) {
	if h.nc != nil && time.Since(h.lastUse) >= h.idle {
		h.closeConn()
	}
	if h.nc == nil {
		if err := h.connect(ctx); err != nil {
			return 0, nil, err
		}
	}
	if _, err := h.nc.Write(req); err != nil {
		h.closeConn()
		return 0, nil, err
	}
	head, body, err := readResponse(h.br, h.limit, h.body[:0])
	h.body = body
	if err != nil {
		h.closeConn()
		if err == io.EOF {
			err = fmt.Errorf("connection closed by the server before the response: %w", io.ErrUnexpectedEOF)
		}
		return 0, nil, err
	}
	if head.close {
		h.closeConn()
	}
	h.lastUse = time.Now()
	return head.status, body, nil
}

// connect dials a new connection, unless the httpConn was shut down.
func (h *httpConn) connect(ctx context.Context) error {
	nc, err := h.dial(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		nc.Close()
		return errHTTPConnClosed
	}
	h.nc = nc
	h.mu.Unlock()
	h.dials++
	if h.br == nil {
		h.br = bufio.NewReaderSize(nc, httpBufferSize)
	} else {
		h.br.Reset(nc)
	}
	return nil
}

// closeConn closes the open connection (the owner's side).
func (h *httpConn) closeConn() {
	h.mu.Lock()
	nc := h.nc
	h.nc = nil
	h.mu.Unlock()
	if nc != nil {
		nc.Close()
	}
}

// shutdown closes the connection for good: a request blocked on it fails
// at once, later ones fail without dialling. Safe from any goroutine.
func (h *httpConn) shutdown() {
	h.mu.Lock()
	h.closed = true
	nc := h.nc
	h.mu.Unlock()
	if nc != nil {
		nc.Close()
	}
}
