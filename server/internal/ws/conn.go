package ws

import (
	"encoding/binary"
	"net"
	"syscall"
	"time"
)

// CloseWait bounds how long a closing WebSocket waits for the client's
// close frame before the TCP connection is closed.
const CloseWait = 5 * time.Second

// Conn is the server side of an accepted WebSocket (RFC 6455). One
// goroutine reads it (ReadMessage, Wait, ReadInline and ReadRaw,
// DrainAndClose, Finish); frames are
// written through its Writer (Out), whose lock keeps every frame whole and
// in order.
//
// Nothing is buffered for reading while the connection is idle: bytes are
// read into a pooled buffer, given back once every buffered byte was used.
type Conn struct {
	conn   net.Conn
	out    *Writer
	maxMsg int64 // the largest message accepted

	// Reader state, used by the reading goroutine only.
	rb   *[]byte // pooled read buffer (its capacity is used), nil when empty
	r, w int     // the unread bytes are (*rb)[r:w]
	rerr error   // the connection's read error, reported once the buffer is used
	// pending is the unused payload of the last frame whose header was used
	// (-1: unknown, the framing is lost).
	pending int64
	part    *partial // a data message in progress (parse.go), nil between messages

	// The connection's descriptor, for ReadInline (read_unix.go); nil
	// (TLS): the reader blocks in Wait and ReadMessage.
	raw syscall.RawConn

	owner Owner

	// Small fields together (a Conn is part of every idle session).
	deflate bool    // permessage-deflate was negotiated
	one     [1]byte // Wait's read
	// drained: the last read inside ReadInline was short (it emptied the
	// socket) and all of it was used since.
	drained bool
	inline  inlineState // the reader is inside ReadInline; CloseNow was called
}

// Owner is told of a Conn's end.
type Owner interface {
	// BeforeClose is called before the connection is closed or starts its
	// close handshake (from any goroutine, maybe more than once): the owner
	// stops watching the descriptor (and resumes a reader it parked).
	BeforeClose()
	// Finished is called by Finish (the reader is done): at least once,
	// maybe more.
	Finished()
}

// NewConn returns the Conn of a connection taken over from net/http (as
// Accept does): messages over maxMsg bytes are refused (1009), and deflate
// says whether permessage-deflate was negotiated.
func NewConn(conn net.Conn, maxMsg int64, deflate bool) *Conn {
	c := &Conn{}
	c.init(conn, maxMsg, deflate)
	return c
}

// init sets up c (a zero Conn) for conn.
func (c *Conn) init(conn net.Conn, maxMsg int64, deflate bool) {
	c.conn, c.out, c.maxMsg, c.deflate = conn, &Writer{w: conn}, maxMsg, deflate
	c.setupRaw()
}

// SetOwner sets the Conn's owner (nil: none). Call it before the Conn is
// used.
func (c *Conn) SetOwner(o Owner) { c.owner = o }

// Out returns the Writer of the connection's frames.
func (c *Conn) Out() *Writer { return c.out }

// Deflate reports whether permessage-deflate was negotiated.
func (c *Conn) Deflate() bool { return c.deflate }

// RawConn returns the connection's descriptor access, nil when the
// connection has none (TLS): the owner may watch it for readability
// (epoll) while the Conn is idle.
func (c *Conn) RawConn() syscall.RawConn { return c.raw }

// Preload puts bytes the client sent with the handshake request in the read
// buffer.
func (c *Conn) Preload(b []byte) {
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
func (c *Conn) buffered() []byte {
	if c.rb == nil {
		return nil
	}
	return (*c.rb)[c.r:c.w:cap(*c.rb)]
}

// Idle reports whether nothing read is waiting to be used.
func (c *Conn) Idle() bool { return c.r == c.w && c.part == nil && c.rerr == nil }

// fill reads until at least n (at most a buffer) bytes are buffered.
func (c *Conn) fill(n int) error {
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
func (c *Conn) releaseBuffer() {
	if c.rb != nil && c.r == c.w {
		if cap(*c.rb) == BufferSize {
			putBuf(c.rb)
		}
		c.rb, c.r, c.w = nil, 0, 0
	}
}

// Wait blocks until the client sends something: a read of one byte (a TLS
// connection then holds the rest of its record in its own buffer). Call it
// only when idle; a read error is reported by the next ReadMessage. A
// connection with a descriptor (RawConn) is read with ReadInline instead,
// which waits holding nothing.
func (c *Conn) Wait() {
	n, err := c.conn.Read(c.one[:])
	if n == 1 {
		c.rb, c.r, c.w = getBuf(), 0, 1
		(*c.rb)[:1][0] = c.one[0]
	}
	if err != nil {
		c.rerr = err
	}
}

// SendClose writes a close frame with code, unless one was written: frames
// written after it are refused (net.ErrClosed).
func (c *Conn) SendClose(code uint16) {
	var p [2]byte
	binary.BigEndian.PutUint16(p[:], code)
	_ = c.out.WriteClose(p[:]) // a failed write: the connection is gone anyway
}

// CloseNow closes the TCP connection: a read or write in progress fails (a
// parked reader is resumed first, and finds it closed). While the reader is
// inside ReadInline the connection is shut down instead (closeInline) and
// the reader closes it once out.
func (c *Conn) CloseNow() {
	c.beforeClose()
	if c.closeInline() {
		return
	}
	_ = c.conn.Close()
}

// StartClose begins the server's side of the close handshake: a close frame
// (1000) and a bound on the wait for the client's, which the reader gets
// (then it closes the connection).
func (c *Conn) StartClose() {
	c.SendClose(CloseNormal)
	_ = c.conn.SetReadDeadline(time.Now().Add(CloseWait))
	c.beforeClose() // a parked reader waits for the close frame under the deadline
}

// DrainAndClose ends the reader's use of the connection after a close frame
// was sent (it sends one with 1000 if not): it reads frames until the
// client's close frame, an error or CloseWait, then closes the connection
// and gives the read buffer back. The payload of a frame that broke the
// protocol is skipped first; when its length is unknown, bytes are only
// discarded until the client closes (as the ws library does).
func (c *Conn) DrainAndClose() {
	c.SendClose(CloseNormal)
	_ = c.conn.SetReadDeadline(time.Now().Add(CloseWait))
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
		if err != nil || h.op == OpClose {
			break
		}
		if c.skip(h.n) != nil {
			break
		}
	}
	c.CloseNow()
	c.Finish()
}

// beforeClose calls the BeforeClose hook.
func (c *Conn) beforeClose() {
	if c.owner != nil {
		c.owner.BeforeClose()
	}
}

// Finish gives the read buffer back: the reader is done.
func (c *Conn) Finish() {
	c.part = nil
	if c.rb != nil {
		c.r = c.w
		c.releaseBuffer()
	}
	if c.owner != nil {
		c.owner.Finished()
	}
}

func getBuf() *[]byte { return batchBufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	*b = (*b)[:0]
	batchBufs.Put(b)
}
