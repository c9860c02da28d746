//go:build !js

package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// startServer runs srv (configured by setup) on an httptest server, mounted at
// /socket.io/, and closes both when the test ends.
func startServer(t *testing.T, opts *Options, setup func(srv *Server)) (string, *Server) {
	t.Helper()
	srv := New(opts)
	if setup != nil {
		setup(srv)
	}
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		ts.Close()
	})
	return ts.URL, srv
}

// reasons collects disconnect reasons seen by the server.
type reasons struct {
	mu   sync.Mutex
	list []string
	ch   chan string
}

// newReasons' channel holds more reasons than any test produces (the many-
// clients test: 201), so that add never blocks: a test that fails before it
// has read them all must still be able to close its server in Cleanup.
func newReasons() *reasons { return &reasons{ch: make(chan string, 1024)} }

func (r *reasons) add(reason string) {
	r.mu.Lock()
	r.list = append(r.list, reason)
	r.mu.Unlock()
	r.ch <- reason
}

func (r *reasons) wait(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-r.ch:
			if got == want {
				return
			}
		case <-timeout:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("server never saw disconnect reason %q (saw %q)", want, r.list)
		}
	}
}
