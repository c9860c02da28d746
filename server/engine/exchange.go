package engine

import (
	"io"
	"net/http"
)

// exchange is one polling request and its response, as servePoll and
// serveData see them: either net/http's (w and r, the ServeHTTP path) or a
// connection served by Server.Serve (fc). It lives on the stack of the
// request's goroutine; nothing keeps it after the request.
type exchange struct {
	w  http.ResponseWriter
	r  *http.Request
	fc *fastConn
}

// waitLocked makes a GET of s wait, s.mu held (released meanwhile), until
// s is woken (signalPollLocked; the wake may be spurious: the caller looks
// again). It returns false when the client has gone away.
func (x *exchange) waitLocked(s *Session) bool {
	if x.fc != nil {
		return x.fc.parkLocked(s)
	}
	s.mu.Unlock()
	select {
	case <-s.poll:
		s.mu.Lock()
		return true
	case <-x.r.Context().Done():
		s.mu.Lock()
		return false
	}
}

// binaryContent reports whether the request's body is
// application/octet-stream (see binaryContentType).
func (x *exchange) binaryContent() bool {
	if x.fc != nil {
		return x.fc.binary
	}
	v := x.r.Header["Content-Type"]
	return len(v) > 0 && binaryContentType(v[0])
}

// contentLength returns the announced body length (-1: unknown).
func (x *exchange) contentLength() int64 {
	if x.fc != nil {
		return x.fc.bodyLeft
	}
	return x.r.ContentLength
}

// body returns the request body.
func (x *exchange) body() io.Reader {
	if x.fc != nil {
		return (*fastBody)(x.fc)
	}
	return x.r.Body
}

// writeEmpty answers with status and no body.
func (x *exchange) writeEmpty(status int) {
	if x.fc != nil {
		x.fc.respond(status, respEmpty, nil, "")
		return
	}
	writeEmpty(x.w, status)
}

// writePoll answers a GET with body (compressed when large enough and the
// request accepts it). Nothing keeps body after it returns.
func (x *exchange) writePoll(srv *Server, body []byte) {
	if x.fc != nil {
		enc := ""
		if srv.compressible(len(body)) && x.fc.enc != "" {
			body, enc = srv.compressPoll(body, x.fc.enc)
		}
		x.fc.respond(http.StatusOK, respPoll, body, enc)
		return
	}
	srv.writePollBody(x.w, x.r, body)
}

// writeOK answers a POST whose packets were handled.
func (x *exchange) writeOK() {
	if x.fc != nil {
		x.fc.respond(http.StatusOK, respOK, nil, "")
		return
	}
	h := x.w.Header()
	h["Content-Type"] = hdrTextHTML
	h["Content-Length"] = hdrLength2
	h["Cache-Control"] = hdrNoStore
	x.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(x.w, "ok")
}

// drop ends the request without an answer, closing its connection.
func (x *exchange) drop() {
	if x.fc != nil {
		x.fc.dropped = true
		return
	}
	panic(http.ErrAbortHandler)
}
