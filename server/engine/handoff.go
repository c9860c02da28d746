package engine

import (
	"errors"
	"net"
	"sync"
	"syscall"
)

// handoffListener is the in-memory net.Listener on which Server.Serve runs
// the http.Server it hands connections to: Accept returns the connections
// handed over, in order.
type handoffListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept returns the next connection handed over, or net.ErrClosed once the
// listener is closed.
func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept return net.ErrClosed; connections handed over after
// it are closed.
func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns the address of the listener Serve accepts from.
func (l *handoffListener) Addr() net.Addr { return l.addr }

// hand gives c to the http.Server; false (and c closed) when the listener
// is closed.
func (l *handoffListener) hand(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		_ = c.Close()
		return false
	}
}

// prefixConn is a connection handed over with the bytes already read from
// it: Read returns those first, then reads the connection.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// errPendingBytes: the descriptor of a handed-over connection is not given
// while bytes read before the handoff are still unread.
var errPendingBytes = errors.New("engine: handed-over connection has unread bytes")

// SyscallConn gives the descriptor of the connection (as *net.TCPConn
// does) once the bytes read before the handoff have been read: a websocket
// taken over from net/http may then wait for it with epoll.
func (c *prefixConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	if len(c.pending) > 0 {
		return nil, errPendingBytes
	}
	return sc.SyscallConn()
}
