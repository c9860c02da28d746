package engine

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
)

// serveHandshake answers a polling handshake (a GET for the path, with no
// sid) whose head is buf[r:r+n]: net/http's own ReadRequest reads the head
// (parseHead accepted it: both read it the same way) into the
// *http.Request that AllowRequest and the session's RequestInfo see, and
// ServeHTTP answers it into a handshakeWriter. A client then keeps its
// connection for the polling requests that follow (a browser, an
// http.Transport's pool) without it going to net/http for good.
func (c *fastConn) serveHandshake(h *reqHead, n int) bool {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(c.buf[c.r : c.r+n])))
	if err != nil { // cannot be: parseHead accepted the head
		c.handOff()
		return false
	}
	c.r += n
	r.RemoteAddr = c.conn.RemoteAddr().String()
	r = r.WithContext(c.fs.ctx)
	c.prepare(h)
	w := handshakeWriter{header: make(http.Header, 4)}
	c.fs.srv.ServeHTTP(&w, r)
	c.respondHeader(w.status, w.header, w.body)
	return c.afterRequest()
}

// handshakeWriter collects a response ServeHTTP writes for a handshake.
type handshakeWriter struct {
	header http.Header
	status int
	body   []byte
}

func (w *handshakeWriter) Header() http.Header { return w.header }

func (w *handshakeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *handshakeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

// respondHeader writes a response made of a header map, as net/http writes
// it: the fields sorted, Content-Type sniffed and Content-Length counted
// when the handler set none.
func (c *fastConn) respondHeader(status int, h http.Header, body []byte) {
	if status == 0 {
		status = http.StatusOK
	}
	if _, ok := h["Content-Type"]; !ok && len(body) > 0 {
		h.Set("Content-Type", http.DetectContentType(body))
	}
	if _, ok := h["Content-Length"]; !ok {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	var buf bytes.Buffer
	buf.WriteString("HTTP/1.1 ")
	buf.WriteString(strconv.Itoa(status))
	buf.WriteByte(' ')
	buf.WriteString(http.StatusText(status))
	buf.WriteString("\r\n")
	_ = h.Write(&buf)
	b := buf.Bytes()
	if c.closeAfter {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "Date: "...)
	b = c.fs.dates.append(b)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	c.write(b)
}
