//go:build !js

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// server accepts connections and runs one goroutine per connection; it keeps
// the open connections in an intrusive list (no allocation, no map growth)
// so that close can end them.
type server struct {
	log *slog.Logger

	mu     sync.Mutex
	ln     net.Listener
	head   *conn // open connections
	closed bool
	wg     sync.WaitGroup

	// hsBufs holds the buffers of HTTP upgrade requests; wBufs those of
	// replies. Neither stays with an idle connection.
	hsBufs sync.Pool
	wBufs  sync.Pool
}

func newServer(log *slog.Logger) *server {
	s := &server{log: log}
	s.hsBufs.New = func() any { b := make([]byte, maxRequest); return &b }
	s.wBufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return s
}

// serve accepts connections on ln until close; it returns nil after close.
func (s *server) serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ln.Close()
	}
	s.ln = ln
	s.mu.Unlock()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			if !errors.Is(err, net.ErrClosed) {
				// EMFILE and the like: wait and retry, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept", "err", err, "retry in", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("floor: accept: %w", err)
		}
		backoff = 0
		c := &conn{s: s, nc: nc.(*net.TCPConn)}
		if !s.add(c) {
			nc.Close()
			return nil
		}
		go c.serve()
	}
}

func (s *server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// add links c into the open connections, false once the server is closed.
func (s *server) add(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	c.next = s.head
	if s.head != nil {
		s.head.prev = c
	}
	s.head = c
	return true
}

// remove unlinks c once its goroutine ends.
func (s *server) remove(c *conn) {
	s.mu.Lock()
	if c.prev != nil {
		c.prev.next = c.next
	} else if s.head == c {
		s.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
	s.mu.Unlock()
	s.wg.Done()
}

// close stops accepting, closes every open connection and waits for their
// goroutines until ctx ends.
func (s *server) close(ctx context.Context) error {
	s.mu.Lock()
	var err error
	if s.ln != nil && !s.closed {
		err = s.ln.Close()
	}
	s.closed = true
	for c := s.head; c != nil; c = c.next {
		c.nc.Close()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return err
	case <-ctx.Done():
		return errors.Join(err, fmt.Errorf("floor: connections still open: %w", ctx.Err()))
	}
}
