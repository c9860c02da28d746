package engine

import (
	"encoding/binary"
	"net"
	"syscall"
	"time"
)

// wsCloseWait bounds how long a closing WebSocket waits for the client's
// close frame before the TCP connection is closed.
const wsCloseWait = 5 * time.Second

// wsConn is the server side of an accepted WebSocket (RFC 6455). One
// goroutine reads it (readMessage, wait, drainAndClose); frames are written
// through out, whose lock keeps every frame whole and in order.
//
// Nothing is buffered for reading while the connection is idle: bytes are
// read into a pooled buffer, given back once every buffered byte was used.
type wsConn struct {
	conn    net.Conn
	out     *batchWriter
	maxMsg  int64 // MaxHTTPBufferSize
	deflate bool  // permessage-deflate was negotiated

	// Reader state, used by the reading goroutine only.
	rb   *[]byte // pooled read buffer (its capacity is used), nil when empty
	r, w int     // the unread bytes are (*rb)[r:w]
	rerr error   // the connection's read error, reported once the buffer is used
	// pending is the unread payload of the last frame whose header was read
	// (-1: unknown, the framing is lost).
	pending int64
	one     [1]byte // the fallback wait's read

	// Shallow idle waits where the connection's descriptor can be polled
	// (idleread_unix.go); nil: wait reads one byte.
	raw    syscall.RawConn
	readFn func(fd uintptr) bool

	// Parking of an idle reader (idlepoll_linux.go).
	idleReg idleReg

	// onFinish is called once, by the first finish.
	onFinish func()
}

// newWSConn returns the wsConn of a connection taken over from net/http.
func newWSConn(conn net.Conn, maxMsg int64, deflate bool) *wsConn {
	c := &wsConn{conn: conn, out: &batchWriter{w: conn}, maxMsg: maxMsg, deflate: deflate}
	c.setupWait()
	return c
}

// preload puts bytes the client sent with the handshake request in the read
// buffer.
func (c *wsConn) preload(b []byte) {
	for len(b) > 0 {
		if c.rb == nil {
			c.rb, c.r, c.w = getBuf(), 0, 0
		}
		buf := (*c.rb)[:cap(*c.rb)]
		if c.w == len(buf) { // more than a buffer: keep the rest in a copy
			grown := make([]byte, c.w+len(b))
			copy(grown, buf[:c.w])
			copy(grown[c.w:], b)
			c.w = len(grown)
			putBuf(c.rb)
			c.rb = &grown
			return
		}
		n := copy(buf[c.w:], b)
		c.w += n
		b = b[n:]
	}
}

// buffered returns the unread bytes of the read buffer.
func (c *wsConn) buffered() []byte {
	if c.rb == nil {
		return nil
	}
	return (*c.rb)[c.r:c.w:cap(*c.rb)]
}

// idle reports whether nothing read is waiting to be used.
func (c *wsConn) idle() bool { return c.r == c.w && c.rerr == nil }

// fill reads until at least n (at most a buffer) bytes are buffered.
func (c *wsConn) fill(n int) error {
	for c.w-c.r < n {
		if c.rerr != nil {
			return c.rerr
		}
		if c.rb == nil {
			c.rb, c.r, c.w = getBuf(), 0, 0
		}
		buf := (*c.rb)[:cap(*c.rb)]
		if c.r > 0 {
			c.w = copy(buf, buf[c.r:c.w])
			c.r = 0
		}
		m, err := c.conn.Read(buf[c.w:])
		c.w += m
		if err != nil {
			c.rerr = err
		}
	}
	return nil
}

// releaseBuffer gives the read buffer back when everything in it was used.
func (c *wsConn) releaseBuffer() {
	if c.rb != nil && c.r == c.w {
		if cap(*c.rb) == maxBatchBytes {
			putBuf(c.rb)
		}
		c.rb, c.r, c.w = nil, 0, 0
	}
}

// waitByte is the fallback of wait: a read of one byte (a TLS connection
// then holds the rest of its record in its own buffer).
func (c *wsConn) waitByte() {
	n, err := c.conn.Read(c.one[:])
	if n == 1 {
		c.rb, c.r, c.w = getBuf(), 0, 1
		(*c.rb)[:1][0] = c.one[0]
	}
	if err != nil {
		c.rerr = err
	}
}

// sendClose writes a close frame with code, unless one was written: frames
// written after it are refused (net.ErrClosed).
func (c *wsConn) sendClose(code uint16) {
	var p [2]byte
	binary.BigEndian.PutUint16(p[:], code)
	_ = c.out.writeClose(p[:]) // a failed write: the connection is gone anyway
}

// closeNow closes the TCP connection: a read or write in progress fails (a
// parked reader is resumed first, and finds it closed).
func (c *wsConn) closeNow() {
	c.stopParking()
	_ = c.conn.Close()
}

// startClose begins the server's side of the close handshake: a close frame
// (1000) and a bound on the wait for the client's, which the reader gets
// (then it closes the connection).
func (c *wsConn) startClose() {
	c.sendClose(closeNormal)
	_ = c.conn.SetReadDeadline(time.Now().Add(wsCloseWait))
	c.stopParking() // a parked reader waits for the close frame under the deadline
}

// drainAndClose ends the reader's use of the connection after a close frame
// was sent (it sends one with 1000 if not): it reads frames until the
// client's close frame, an error or wsCloseWait, then closes the connection
// and gives the read buffer back. The payload of a frame that broke the
// protocol is skipped first; when its length is unknown, bytes are only
// discarded until the client closes (as the ws library does).
func (c *wsConn) drainAndClose() {
	c.sendClose(closeNormal)
	_ = c.conn.SetReadDeadline(time.Now().Add(wsCloseWait))
	framed := c.pending >= 0 && c.skip(c.pending) == nil
	for c.rerr == nil {
		if !framed {
			c.r = c.w
			if c.fill(1) != nil {
				break
			}
			continue
		}
		h, err := c.readHeader()
		if err != nil || h.op == opClose {
			break
		}
		if c.skip(h.n) != nil {
			break
		}
	}
	c.closeNow()
	c.finish()
}

// finish gives the read buffer back: the reader is done.
func (c *wsConn) finish() {
	if c.rb != nil {
		c.r = c.w
		c.releaseBuffer()
	}
	if f := c.onFinish; f != nil {
		c.onFinish = nil
		f()
	}
}
