package engine

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// fastConn is a connection accepted by Server.Serve and not (yet) handed
// to net/http, owned by the goroutine running serve (a parked GET's session
// only moves its read deadline).
type fastConn struct {
	fs   *fastServer
	conn net.Conn
	buf  []byte // read buffer; buf[r:w] is read and not yet used
	r, w int
	rerr error // the read error that ended reading (nil: none)

	// The request being answered: what its answer needs, copied from its
	// head before the exchange starts (a GET that parks no longer owns
	// the read buffer).
	enc          string  // Accept-Encoding's choice: "gzip", "deflate" or ""
	allow        string  // Access-Control-Allow-Origin; "" none
	vary         bool    // Vary: Origin
	creds        bool    // Access-Control-Allow-Credentials: true
	binary       bool    // POST: application/octet-stream
	bodyLeft     int64   // POST: body bytes not yet read
	bodyDeadline bool    // the body's read deadline is set
	closeAfter   bool    // answer with Connection: close, then close
	dropped      bool    // close without an answer
	failed       bool    // a write failed
	pending      *[]byte // the response to write when the exchange returns (from outBufs)

	// A parked GET waits in a read of the connection (parkLocked): the
	// read fails when the client goes away, and a wake of the session cuts
	// it short with a past deadline.
	stale bool // the read deadline is not one a parked read wants (a wake's, or expired)
}

const fastReadBuffer = 4 << 10

func newFastConn(fs *fastServer, conn net.Conn) *fastConn {
	return &fastConn{fs: fs, conn: conn, buf: make([]byte, fastReadBuffer)}
}

// errHandOff: the bytes read are not a request head Serve reads.
var errHandOff = errors.New("engine: hand the connection to net/http")

// serve answers the connection's requests until it closes or is handed
// over.
func (c *fastConn) serve() {
	for {
		n, err := c.readHead()
		if errors.Is(err, errHandOff) {
			c.handOff()
			return
		}
		if err != nil {
			c.close()
			return
		}
		if !c.serveRequest(n) {
			return
		}
	}
}

// readHead reads until buf[r:w] starts with a complete request head and
// returns its length; errHandOff when the bytes cannot be a head Serve
// reads (too long).
func (c *fastConn) readHead() (int, error) {
	partial := false
	for {
		if n := headEnd(c.buf[c.r:c.w]); n >= 0 {
			return n, nil
		}
		if c.w-c.r >= maxHeadBytes || bareLF(c.buf[c.r:c.w]) {
			return 0, errHandOff // not a head parseHead accepts, complete or not
		}
		if c.rerr != nil {
			return 0, c.rerr
		}
		switch {
		case c.r == c.w: // waiting for the next request
			_ = c.conn.SetReadDeadline(time.Now().Add(c.fs.idle))
		case !partial: // a head has begun
			partial = true
			_ = c.conn.SetReadDeadline(time.Now().Add(c.fs.readHeader))
		}
		c.stale = false // a GET read here may park under this deadline
		c.makeRoom()
		n, err := c.conn.Read(c.buf[c.w:])
		c.w += n
		if err != nil {
			c.rerr = err
		}
	}
}

// bareLF reports whether b has a line feed not preceded by a carriage
// return: a head that will never end with CRLF CRLF (net/http accepts
// bare LF line endings; parseHead does not).
func bareLF(b []byte) bool {
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return false
		}
		i += j
		if i == 0 || b[i-1] != '\r' {
			return true
		}
	}
}

// makeRoom makes free space after buf[w]: the unread bytes move to the
// front, the buffer grows when they fill it (up to a head's limit).
func (c *fastConn) makeRoom() {
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.w < len(c.buf) {
		return
	}
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
		return
	}
	grown := make([]byte, min(2*len(c.buf), maxHeadBytes+fastReadBuffer))
	copy(grown, c.buf[:c.w])
	c.buf = grown
}

// serveRequest answers the request whose head is buf[r:r+n], or hands the
// connection over; true when the next request is to be read.
func (c *fastConn) serveRequest(n int) bool {
	// The head's strings point into buf: used before anything is read.
	h, err := parseHead(unsafeString(c.buf[c.r : c.r+n]))
	var s *Session
	if err == nil && h.path == c.fs.path {
		var handshake bool
		if s, handshake = c.fs.srv.pollSession(h.query); handshake && !h.post {
			return c.serveHandshake(&h, n)
		}
	}
	if s == nil {
		c.handOff()
		return false
	}
	c.r += n
	c.prepare(&h)
	x := exchange{fc: c}
	if h.post {
		s.serveData(&x)
	} else {
		s.servePoll(&x)
	}
	return c.afterRequest()
}

// prepare copies what answering h needs.
func (c *fastConn) prepare(h *reqHead) {
	srv := c.fs.srv
	c.enc = ""
	if h.acceptEncoding != "" && srv.opts.HTTPCompressionThreshold > 0 {
		c.enc = acceptedEncoding(h.acceptEncoding) // a constant string
	}
	c.allow, c.vary, c.creds = "", false, false
	if cors := srv.opts.CORS; cors != nil {
		c.allow, c.vary = cors.allowOrigin(h.origin)
		if c.allow != "" && c.allow != "*" {
			c.allow = strings.Clone(c.allow)
		}
		c.creds = cors.Credentials
	}
	c.binary = h.post && binaryContentType(h.contentType)
	c.bodyLeft, c.bodyDeadline = h.contentLength, false
	c.closeAfter, c.dropped = h.close, false
}

// afterRequest ends a request's exchange: true when the connection goes on.
func (c *fastConn) afterRequest() bool {
	if !c.dropped {
		c.flush()
	}
	if c.dropped || c.closeAfter || c.failed || c.bodyLeft > 0 {
		c.close()
		return false
	}
	return true
}

// parkLocked makes a GET of s wait, s.mu held (released meanwhile): the
// connection's goroutine reads the connection, so that a client that goes
// away ends the GET (as net/http's background read ends the request's
// context), and a wake of s (signalPollLocked) cuts the read short with a
// past deadline; no other goroutine is involved. It returns false when the
// client has gone away (or Serve closed the connection), true when the GET
// is to look at the session again: woken, or bytes of the next (pipelined)
// request read, kept for after the GET, or a wake-up that was not one.
func (c *fastConn) parkLocked(s *Session) bool {
	c.makeRoom()
	if c.w == len(c.buf) {
		// No room to read into (a client that pipelines a head this
		// large): wait for the engine only, as net/http's request does
		// once its background read has read.
		s.mu.Unlock()
		<-s.poll
		s.mu.Lock()
		return true
	}
	if c.stale {
		// Set under s.mu, before the session sees the GET parked: no wake
		// can be lost under a later deadline.
		_ = c.conn.SetReadDeadline(time.Time{}) // the GET waits as long as the engine says
		c.stale = false
	}
	// Otherwise the deadline is readHead's: if it expires first, the read
	// is taken again without one.
	s.parkedGet = c
	s.mu.Unlock()
	n, err := c.conn.Read(c.buf[c.w:])
	s.mu.Lock()
	if s.parkedGet == c {
		s.parkedGet = nil
	} else {
		c.stale = true // cut by signalPollLocked (under s.mu: done by now)
	}
	c.w += n
	switch {
	case err == nil:
		return true
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.stale = true
		return true
	}
	c.rerr = err // seen by readHead after the bytes read
	return false
}

// aLongTimeAgo is a deadline in the past: a read waiting under it returns.
var aLongTimeAgo = time.Unix(1, 0)

// close closes the connection.
func (c *fastConn) close() {
	_ = c.conn.Close()
	c.fs.untrack(c)
}

// handOff gives the connection to net/http, with the bytes read and not
// used (a whole request head or more) put back in front.
func (c *fastConn) handOff() {
	c.fs.untrack(c)
	_ = c.conn.SetReadDeadline(time.Time{}) // net/http sets its own, or none
	if c.fs.write > 0 {
		_ = c.conn.SetWriteDeadline(time.Time{})
	}
	c.fs.handoff.hand(&prefixConn{Conn: c.conn, pending: c.buf[c.r:c.w]})
}

// maxDiscardBody is how much of a body its handler did not read is read
// and dropped to keep the connection (net/http's maxPostHandlerReadBytes:
// beyond, the connection is closed after the answer).
const maxDiscardBody = 256 << 10

// discardBody reads and drops the rest of the request body when it is at
// most maxDiscardBody bytes; it returns false when the connection cannot
// be kept (larger, or the read failed).
func (c *fastConn) discardBody() bool {
	if c.bodyLeft > maxDiscardBody {
		return false
	}
	_, err := io.Copy(io.Discard, (*fastBody)(c))
	return err == nil && c.bodyLeft == 0
}

// fastBody is the body of a POST being answered: read from the read
// buffer first, then from the connection, bodyLeft bytes in all.
type fastBody fastConn

func (b *fastBody) Read(p []byte) (int, error) {
	c := (*fastConn)(b)
	if c.bodyLeft <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.bodyLeft {
		p = p[:c.bodyLeft]
	}
	if c.r < c.w {
		n := copy(p, c.buf[c.r:c.w])
		c.r += n
		c.bodyLeft -= int64(n)
		return n, nil
	}
	if c.rerr != nil {
		return 0, c.rerr
	}
	if !c.bodyDeadline {
		c.bodyDeadline = true
		d := c.fs.read
		if d <= 0 {
			d = c.fs.idle
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(d))
	}
	n, err := c.conn.Read(p)
	c.bodyLeft -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		c.rerr = err
	}
	return n, err
}

// pollSession returns the session a polling request with query rq is
// for, when it is one ServeHTTP would answer with servePoll or serveData
// (nil: the request goes to net/http); handshake is true for a polling
// handshake (no sid).
func (srv *Server) pollSession(rq string) (s *Session, handshake bool) {
	q := parseRequestQuery(rq)
	if q.eio != "4" || q.transport != TransportPolling ||
		!slices.Contains(srv.opts.Transports, TransportPolling) {
		return nil, false
	}
	if q.sid == "" {
		return nil, true
	}
	srv.mu.Lock()
	s = srv.sessions[q.sid]
	srv.mu.Unlock()
	if s == nil || !s.alive() || s.Transport() != TransportPolling {
		return nil, false
	}
	return s, false
}

// unsafeString returns b's bytes as a string without copying: valid while
// b is not modified.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
