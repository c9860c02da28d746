package engine

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// respKind is the kind of answer Serve writes itself.
type respKind uint8

const (
	respEmpty respKind = iota // a status and no body (writeEmpty)
	respPoll                  // a GET's packets (writePollBody)
	respOK                    // a POST's "ok"
)

// maxKeptOut bounds the response buffers outBufs keeps.
const maxKeptOut = 64 << 10

// respond puts a response together (flush writes it) as net/http writes
// ServeHTTP's: the status
// line, the handler's header fields sorted by name, then Connection: close
// (when the connection ends after it) and Date, then the body.
func (c *fastConn) respond(status int, kind respKind, body []byte, enc string) {
	bp := outBufs.Get().(*[]byte)
	b := append((*bp)[:0], "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\n"...)
	if c.creds {
		b = append(b, "Access-Control-Allow-Credentials: true\r\n"...)
	}
	if c.allow != "" {
		b = append(b, "Access-Control-Allow-Origin: "...)
		b = append(b, c.allow...)
		b = append(b, "\r\n"...)
	}
	switch kind {
	case respPoll:
		b = append(b, "Cache-Control: no-store\r\n"...)
		if enc != "" {
			b = append(b, "Content-Encoding: "...)
			b = append(b, enc...)
			b = append(b, "\r\n"...)
		}
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"...)
	case respOK:
		b = append(b, "Cache-Control: no-store\r\nContent-Length: 2\r\nContent-Type: text/html\r\n"...)
		body = okBody
	default:
		b = append(b, "Content-Length: 0\r\n"...)
		body = nil
	}
	if c.vary {
		b = append(b, "Vary: Origin\r\n"...)
	}
	if c.bodyLeft > 0 && !c.discardBody() {
		c.closeAfter = true // the rest of the body is not read
	}
	if c.closeAfter {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "Date: "...)
	b = c.fs.dates.append(b)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	*bp = b
	c.pending = bp
}

// flush writes the response respond put together, if any. It runs once the
// exchange has returned, as net/http writes a handler's response when the
// handler returns: a client that has its answer may send its next request
// at once, and the session must be done with this one (a POST still marked
// active would make the next one an overlap).
func (c *fastConn) flush() {
	bp := c.pending
	if bp == nil {
		return
	}
	c.pending = nil
	c.write(*bp)
	if cap(*bp) <= maxKeptOut {
		*bp = (*bp)[:0]
		outBufs.Put(bp)
	}
}

// outBufs holds the buffers responses are put together in (shared by the
// connections: an idle one keeps none).
var outBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// write writes a whole response.
func (c *fastConn) write(b []byte) {
	if c.fs.write > 0 {
		_ = c.conn.SetWriteDeadline(time.Now().Add(c.fs.write))
	}
	if _, err := c.conn.Write(b); err != nil {
		c.failed = true
	}
}

var okBody = []byte("ok")

// dateCache holds the Date header value of the current second.
type dateCache struct {
	cur atomic.Pointer[dateValue]
}

type dateValue struct {
	sec int64
	b   []byte
}

// append appends the current time as an HTTP date.
func (d *dateCache) append(b []byte) []byte {
	now := time.Now()
	v := d.cur.Load()
	if v == nil || v.sec != now.Unix() {
		v = &dateValue{sec: now.Unix(), b: now.UTC().AppendFormat(nil, http.TimeFormat)}
		d.cur.Store(v)
	}
	return append(b, v.b...)
}
