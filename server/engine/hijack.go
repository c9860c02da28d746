package engine

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
)

// Buffer sizes of an accepted websocket connection. net/http hands a
// hijacked connection over with 4 KB read and write buffers, which
// coder/websocket keeps for the connection's lifetime: 8 KB of an idle
// session's ~18 KB. Frame headers and small messages fit in the read buffer;
// larger payloads bypass it. The write buffer holds a whole control frame (2
// + 125 bytes at most), which coder/websocket writes itself, so that each
// reaches the batchWriter whole; the session's data frames go straight into
// the batchWriter (batchWriter.writeFrame).
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 128
)

// smallBufferWriter is the http.ResponseWriter given to websocket.Accept: its
// Hijack returns the connection with small bufio buffers instead of
// net/http's, the writer writing through a batchWriter (out) that the
// session's flush uses to write several packets at once.
type smallBufferWriter struct {
	http.ResponseWriter
	out   *batchWriter  // set by Hijack
	br    *bufio.Reader // set by Hijack
	early bool          // the client's first bytes came with the request
	conn  net.Conn

	// holdSwitch: the 101 response is not written by net/http but kept in
	// out and written with the first write to the connection (the open
	// packet): one write syscall less per connect. Only where the server
	// writes first (a new websocket session; not an upgrade, whose client
	// waits for the 101 before it sends its probe).
	holdSwitch bool
	held       bool // WriteHeader(101) was held
}

// WriteHeader implements http.ResponseWriter.
func (w *smallBufferWriter) WriteHeader(code int) {
	if code == http.StatusSwitchingProtocols && w.holdSwitch {
		w.held = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// setupReader undoes what websocket.Accept does to the bufio.Reader (it puts
// an io.MultiReader of the buffered bytes and the connection under it, kept
// for the connection's lifetime and crossed by every read) when nothing was
// buffered, and puts an idleReader under it where possible (nil otherwise).
// Call it after Accept, before any read.
func (w *smallBufferWriter) setupReader() *idleReader {
	if w.br == nil || w.early || w.br.Buffered() != 0 {
		return nil
	}
	rd := newIdleReader(w.conn)
	if rd == nil {
		w.br.Reset(w.conn)
		return nil
	}
	rd.br = w.br
	w.br.Reset(rd)
	return rd
}

// Hijack implements http.Hijacker.
func (w *smallBufferWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// net/http flushed the 101 response before handing the connection over,
	// so brw.Writer is empty; brw.Reader may hold the client's first bytes.
	// They must be in the new reader's buffer (not behind it):
	// websocket.Accept keeps what is buffered and resets the reader onto conn.
	br := bufio.NewReaderSize(conn, wsReadBuffer)
	w.conn, w.br = conn, br
	if n := brw.Reader.Buffered(); n > 0 {
		w.early = true
		early, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(bytes.NewReader(bytes.Clone(early)), max(n, wsReadBuffer))
		if _, err := br.Peek(n); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	w.out = &batchWriter{w: conn}
	if w.held {
		var b bytes.Buffer
		b.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
		if err := w.Header().Write(&b); err != nil {
			conn.Close()
			return nil, nil, err
		}
		b.WriteString("\r\n")
		w.out.prefix = b.Bytes()
	}
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(w.out, wsWriteBuffer)), nil
}

// Unwrap returns the wrapped ResponseWriter (for http.ResponseController).
func (w *smallBufferWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
