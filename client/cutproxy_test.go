//go:build !js

package client

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
)

// cutProxy is a TCP proxy to a server that, once armed, holds the first
// server-to-client chunk containing a marker and cuts that connection (both
// ways) instead of forwarding it: the server believes it has delivered the
// bytes, the client never sees them.
type cutProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	marker []byte // armed while non-nil
	cut    chan struct{}
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// startCutProxy listens on loopback in front of target (host:port); it stops when the test ends.
func startCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, cut: make(chan struct{}, 1), conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

// arm makes the proxy cut the next connection whose server bytes contain marker.
func (p *cutProxy) arm(marker string) {
	p.mu.Lock()
	p.marker = []byte(marker)
	p.mu.Unlock()
}

func (p *cutProxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *cutProxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
}

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.track(c)
		p.track(s)
		p.wg.Add(2)
		go func() { // client -> server
			defer p.wg.Done()
			_, _ = io.Copy(s, c)
			_ = s.(*net.TCPConn).CloseWrite()
		}()
		go func() { // server -> client, cut on the marker
			defer p.wg.Done()
			defer func() { _ = c.Close(); _ = s.Close() }()
			buf := make([]byte, 64<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 {
					p.mu.Lock()
					hit := p.marker != nil && bytes.Contains(buf[:n], p.marker)
					if hit {
						p.marker = nil
					}
					p.mu.Unlock()
					if hit {
						p.cut <- struct{}{}
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}
