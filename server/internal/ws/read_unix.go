//go:build unix

package ws

import (
	"io"
	"net"
	"os"
	"syscall"
)

// setupRaw keeps the connection's descriptor when it has one (a plain TCP
// connection; not TLS): its reader then reads with ReadInline.
func (c *Conn) setupRaw() {
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.raw = raw
}

// ReadRaw returns the next data message (as ReadMessage does), reading from
// fd, the descriptor given to ReadInline's callback, when the buffered bytes
// do not hold all of it; see RawResult for what to do next. stopIdle asks
// for RawIdle rather than a read when nothing is buffered or in progress
// (the caller will park or hand over its reading). No buffer is held when it
// returns RawWait or RawIdle with nothing buffered.
//
// It reads only when the last read did not empty the socket, or after a
// wait: after a short read whose bytes were all used it returns RawWait at
// once (one read per message; see inline.go for why that is sound).
func (c *Conn) ReadRaw(fd uintptr, stopIdle bool) (byte, []byte, RawResult, error) {
	for {
		if c.r < c.w || c.part != nil { // else there is nothing to parse
			op, msg, err := c.parse()
			switch {
			case err == nil:
				return op, msg, RawMessage, nil
			case err != errMore:
				return 0, nil, RawError, err
			}
		}
		if c.part == nil && c.r == c.w {
			c.releaseBuffer()
			if stopIdle {
				return 0, nil, RawIdle, nil
			}
		}
		if c.rerr == nil && c.closed() {
			c.rerr = net.ErrClosed
		}
		if c.rerr != nil {
			return 0, nil, RawError, c.rerr
		}
		if c.drained {
			c.drained = false
			return 0, nil, RawWait, nil
		}
		dst, direct := c.readTarget()
		n, err := readFD(fd, dst)
		switch {
		case err == syscall.EAGAIN:
			c.releaseBuffer()
			return 0, nil, RawWait, nil
		case err != nil:
			c.rerr = os.NewSyscallError("read", err)
		case n == 0:
			c.rerr = io.EOF
		default:
			c.drained = n < len(dst)
			c.commit(n, direct)
		}
	}
}

// readFD is read(2) on a non-blocking descriptor, retried when interrupted.
func readFD(fd uintptr, b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), b)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// shutdownFD shuts a socket down both ways.
func shutdownFD(fd uintptr) { _ = syscall.Shutdown(int(fd), syscall.SHUT_RDWR) }

// writeFD writes p with write(2) on fd, a descriptor given to ReadInline's
// callback (valid until the callback returns); what the socket does not
// take at once goes through w (the net.Conn), which waits for it.
func writeFD(fd uintptr, p []byte, w io.Writer) error {
	for len(p) > 0 {
		n, err := syscall.Write(int(fd), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			_, err = w.Write(p)
			return err
		case err != nil:
			return os.NewSyscallError("write", err)
		}
		p = p[n:]
	}
	return nil
}
