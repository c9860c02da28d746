package main

import (
	"errors"
	"net"
	"sync"
	"syscall"
)

// connTracker is a net.Listener that remembers every connection it accepted
// until the connection is closed, so that a shutdown can close all of them:
// http.Server.Close forgets the connections handed over to WebSockets
// (hijacked), and a WebSocket client that never answers the close frame
// would otherwise keep its connection.
type connTracker struct {
	net.Listener

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

func trackConns(ln net.Listener) *connTracker {
	return &connTracker{Listener: ln, conns: make(map[*trackedConn]struct{})}
}

// Accept accepts the next connection and remembers it.
func (t *connTracker) Accept() (net.Conn, error) {
	c, err := t.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, t: t}
	t.mu.Lock()
	t.conns[tc] = struct{}{}
	t.mu.Unlock()
	return tc, nil
}

// closeAll closes every connection still open and returns how many there were.
func (t *connTracker) closeAll() int {
	t.mu.Lock()
	list := make([]*trackedConn, 0, len(t.conns))
	for c := range t.conns {
		list = append(list, c)
	}
	t.mu.Unlock()
	for _, c := range list {
		_ = c.Close()
	}
	return len(list)
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	t    *connTracker
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.t.mu.Lock()
		delete(c.t.conns, c)
		c.t.mu.Unlock()
	})
	return c.Conn.Close()
}

var errNoSyscallConn = errors.New("demo: the connection has no file descriptor")

// SyscallConn passes the descriptor through: the engine parks idle
// WebSockets in epoll by it.
func (c *trackedConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errNoSyscallConn
}
