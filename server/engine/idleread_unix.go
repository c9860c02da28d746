//go:build unix

package engine

import (
	"bufio"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// idleReader is the reader under a websocket connection's bufio.Reader. It
// lets the session's reader goroutine wait for the client's next message in
// a shallow call (wait) instead of deep inside coder/websocket's Read: a
// goroutine parked there needs a 4 KB stack, one parked in wait fits in the
// 2 KB a stack shrinks back to while idle. wait reads what arrives into a
// pooled buffer (held only until the bufio.Reader took it), so waiting costs
// the same read syscalls as a plain Read.
type idleReader struct {
	conn net.Conn
	raw  syscall.RawConn
	br   *bufio.Reader // the buffer above; look at it only under Session.mu while !connClosing

	mu      sync.Mutex
	cond    sync.Cond // signalled when a wait ends
	waiting bool
	pending *[]byte // read by wait, not yet handed over (pooled)
	off     int
	err     error // read error met by wait, reported by Read

	// State of the read attempt of a wait (readFn, made once, so that a
	// wait allocates nothing).
	readFn func(fd uintptr) bool
	buf    *[]byte
	n      int
	rerr   error
}

// newIdleReader returns an idleReader for conn, or nil when conn gives no
// access to its file descriptor (the plain Read is used then).
func newIdleReader(conn net.Conn) *idleReader {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &idleReader{conn: conn, raw: raw}
	r.cond.L = &r.mu
	r.readFn = r.tryRead
	return r
}

// Read implements io.Reader: what wait read first, then the connection. A
// Read by another goroutine (the close handshake) while wait runs waits for
// it, so no data is lost between them.
func (r *idleReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	for r.waiting {
		r.cond.Wait()
	}
	if r.pending != nil {
		n := copy(p, (*r.pending)[r.off:])
		r.off += n
		if r.off == len(*r.pending) {
			putBuf(r.pending)
			r.pending, r.off = nil, 0
		}
		r.mu.Unlock()
		return n, nil
	}
	err := r.err
	r.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return r.conn.Read(p)
}

// tryStart begins a wait if nothing read is waiting to be handed over (in
// the bufio.Reader or here). Call it under Session.mu, while the connection
// is not closing (nobody else reads), and call wait if it returns true.
func (r *idleReader) tryStart() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending != nil || r.err != nil || r.br.Buffered() > 0 {
		return false
	}
	r.waiting = true
	return true
}

// wait blocks until the connection has data (or fails or is closed) and
// reads it into a pooled buffer for Read. Call tryStart first.
func (r *idleReader) wait() {
	err := r.raw.Read(r.readFn)
	buf, n, rerr := r.buf, r.n, r.rerr
	r.buf, r.rerr = nil, nil
	r.mu.Lock()
	switch {
	case err != nil: // closed: the next Read reports it
	case rerr != nil:
		r.err = os.NewSyscallError("read", rerr)
	case n == 0:
		r.err = io.EOF
	default:
		*buf = (*buf)[:n]
		r.pending, r.off, buf = buf, 0, nil
	}
	r.waiting = false
	r.cond.Broadcast()
	r.mu.Unlock()
	if buf != nil {
		putBuf(buf)
	}
}

// tryRead is the read attempt of wait: false (wait for the connection to be
// readable) when nothing is there yet.
func (r *idleReader) tryRead(fd uintptr) bool {
	r.buf = getBuf()
	for {
		r.n, r.rerr = syscall.Read(int(fd), (*r.buf)[:cap(*r.buf)])
		if r.rerr != syscall.EINTR {
			break
		}
	}
	if r.rerr == syscall.EAGAIN {
		putBuf(r.buf) // no buffer is held while waiting
		r.buf = nil
		return false
	}
	return true
}

func getBuf() *[]byte { return batchBufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	*b = (*b)[:0]
	batchBufs.Put(b)
}
