//go:build interop && !js

package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// serveStarter returns a starter that runs the Server with Serve; handed
// counts the requests that reached net/http, polling those of them that
// were polling requests with a sid (Serve answers those itself unless
// something hands the connection over first).
func serveStarter(handed, polling *atomic.Int64) starter {
	return func(t *testing.T, opts *Options, setup func(srv *Server)) (string, *Server) {
		t.Helper()
		srv := New(opts)
		if setup != nil {
			setup(srv)
		}
		mux := http.NewServeMux()
		mux.Handle("/socket.io/", srv)
		hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handed.Add(1)
			if r.URL.Query().Get("transport") == "polling" && r.URL.Query().Get("sid") != "" {
				polling.Add(1)
			}
			mux.ServeHTTP(w, r)
		}), ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- srv.Serve(context.Background(), ln, ServeOptions{HTTP: hs}) }()
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Close(ctx); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := hs.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v", err)
			}
		})
		return "http://" + ln.Addr().String(), srv
	}
}

// TestInteropServe: the official socket.io-client against a Server run by
// Serve: with polling only (emits with acks, server emits and acks,
// binary; broadcasts with acks) its polling requests are answered by Serve;
// with the default transports the upgrade to websocket goes through the
// handoff to net/http.
func TestInteropServe(t *testing.T) {
	for _, mode := range []string{"polling", "upgrade"} {
		t.Run("basic-"+mode, func(t *testing.T) {
			var handed, polling atomic.Int64
			testInteropBasic(t, mode, serveStarter(&handed, &polling))
			t.Logf("%d requests handed to net/http, %d of them polling with a sid", handed.Load(), polling.Load())
			if mode == "polling" && polling.Load() != 0 {
				t.Errorf("%d polling requests reached net/http", polling.Load())
			}
			if mode == "upgrade" && handed.Load() < 1 {
				t.Errorf("%d requests reached net/http: want the websocket", handed.Load())
			}
		})
		t.Run("broadcastack-"+mode, func(t *testing.T) {
			var handed, polling atomic.Int64
			testInteropBroadcastAck(t, mode, serveStarter(&handed, &polling))
			if mode == "polling" && polling.Load() != 0 {
				t.Errorf("%d polling requests reached net/http", polling.Load())
			}
		})
	}
}
