package engine

import (
	"net/http"

	"github.com/duplexio/duplex/server/internal/ws"
)

// wsConn is an accepted websocket of the engine: the connection, its part
// in the parking of idle readers, and the server that tracks it (its
// ws.Owner).
type wsConn struct {
	ws.Conn
	idleReg idleReg
	srv     *Server
}

// BeforeClose: the connection leaves the idle poller (ws.Owner).
func (c *wsConn) BeforeClose() { c.stopParking() }

// Finished: the reader is done; the server stops tracking c (ws.Owner).
func (c *wsConn) Finished() { c.srv.untrack(c) }

// acceptWebsocket accepts r as a websocket (ws.Accept with the server's
// options; a bad handshake is answered with 400 and the error returned) and
// tracks it until its reader finishes. With hold, the 101 response is not
// written at once but before the first frame the server writes (a new
// session's open packet): one write syscall less per connect; an upgrade's
// client waits for the 101 before it sends its probe, so its response is
// written at once.
func (srv *Server) acceptWebsocket(w http.ResponseWriter, r *http.Request, hold bool) (*wsConn, error) {
	c := &wsConn{srv: srv}
	err := ws.AcceptInto(&c.Conn, w, r, ws.AcceptOptions{
		MaxMessage: srv.opts.MaxHTTPBufferSize,
		Deflate:    srv.opts.PerMessageDeflate,
		Hold:       hold,
	})
	if err != nil {
		return nil, err
	}
	c.SetOwner(c)
	srv.track(c)
	return c, nil
}
