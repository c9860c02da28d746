//go:build unix

package ws

import (
	"io"
	"os"
	"syscall"
)

// setupWait prepares shallow idle waits when the connection gives access to
// its file descriptor (a plain TCP connection; not TLS).
func (c *Conn) setupWait() {
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.raw = raw
	c.readFn = c.tryRead
}

// wait blocks until the client sends something (or the connection fails or
// is closed) and reads it into a pooled buffer. Call it only when idle. It
// lets the session's reader goroutine wait for the next message in a shallow
// call: a goroutine parked here fits in the 2 KB a stack shrinks back to
// while idle, and no buffer is held while nothing arrives (tryRead gives the
// buffer back when there is nothing to read). A read error is reported by
// the next ReadMessage.
func (c *Conn) Wait() {
	if c.raw == nil {
		c.waitByte()
		return
	}
	if err := c.raw.Read(c.readFn); err != nil && c.rerr == nil {
		c.rerr = err // closed, or the close handshake's deadline
	}
}

// tryRead is the read attempt of wait: false (wait for the connection to be
// readable) when nothing is there yet. The first bytes are read into a
// small array on the stack: an attempt that finds nothing (the first one of
// most waits) takes no buffer from the pool, and one that finds a message
// takes one and copies it. An array filled up is followed by a read of
// what else came into the pooled buffer.
func (c *Conn) tryRead(fd uintptr) bool {
	var small [firstRead]byte
	for {
		n, err := syscall.Read(int(fd), small[:])
		if err == syscall.EINTR {
			continue
		}
		switch {
		case err == syscall.EAGAIN:
			return false // no buffer is held while waiting
		case err != nil:
			c.rerr = os.NewSyscallError("read", err)
		case n == 0:
			c.rerr = io.EOF
		default:
			b := getBuf()
			c.rb, c.r, c.w = b, 0, copy((*b)[:cap(*b)], small[:n])
			if n == len(small) {
				c.readMore(fd)
			}
		}
		return true
	}
}

// firstRead is the size of tryRead's array: a usual client message (an
// event, an ack) with its frame header fits.
const firstRead = 128

// readMore reads what is readable now into the rest of the read buffer,
// after tryRead's array was filled; an error is left to the next read.
func (c *Conn) readMore(fd uintptr) {
	buf := (*c.rb)[:cap(*c.rb)]
	for {
		n, err := syscall.Read(int(fd), buf[c.w:])
		if err == syscall.EINTR {
			continue
		}
		if err == nil && n > 0 {
			c.w += n
		}
		return
	}
}

func getBuf() *[]byte { return batchBufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	*b = (*b)[:0]
	batchBufs.Put(b)
}
