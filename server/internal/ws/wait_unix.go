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
// readable) when nothing is there yet.
func (c *Conn) tryRead(fd uintptr) bool {
	b := getBuf()
	for {
		n, err := syscall.Read(int(fd), (*b)[:cap(*b)])
		if err == syscall.EINTR {
			continue
		}
		switch {
		case err == syscall.EAGAIN:
			putBuf(b) // no buffer is held while waiting
			return false
		case err != nil:
			c.rerr = os.NewSyscallError("read", err)
			putBuf(b)
		case n == 0:
			c.rerr = io.EOF
			putBuf(b)
		default:
			c.rb, c.r, c.w = b, 0, n
		}
		return true
	}
}

func getBuf() *[]byte { return batchBufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	*b = (*b)[:0]
	batchBufs.Put(b)
}
