//go:build !js

package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/server/engine"
)

// TestDisconnectReasonsFromTransports checks the reasons a socket gets when
// its Engine.IO session ends under it, over real transports (the reasons of
// the Socket.IO layer itself are checked by TestDisconnects and the interop
// tests).
func TestDisconnectReasonsFromTransports(t *testing.T) {
	t.Run("ping timeout", func(t *testing.T) {
		rs := newReasons()
		url, _ := startServer(t, &Options{Engine: engine.Options{PingInterval: 30 * time.Millisecond, PingTimeout: 30 * time.Millisecond}}, func(srv *Server) {
			srv.OnConnection(func(s *Socket) { s.OnDisconnect(rs.add) })
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if _, open, err := c.Read(ctx); err != nil || !strings.HasPrefix(string(open), "0{") {
			t.Fatalf("open: %q %v", open, err)
		}
		if err := c.Write(ctx, websocket.MessageText, []byte("40")); err != nil {
			t.Fatal(err)
		}
		// Read on (pings included) without ever answering them.
		go func() {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}()
		rs.wait(t, "ping timeout")
	})
	t.Run("transport close", func(t *testing.T) {
		rs := newReasons()
		url, _ := startServer(t, nil, func(srv *Server) {
			srv.OnConnection(func(s *Socket) { s.OnDisconnect(rs.add) })
		})
		p := openPoll(t, url)
		p.post("40")
		if status, got := p.get(); status != 200 || !strings.HasPrefix(got, `40{"sid":"`) {
			t.Fatalf("CONNECT reply: %d %q", status, got)
		}
		p.post("1") // the client closes its Engine.IO session
		rs.wait(t, "transport close")
	})
	t.Run("transport error", func(t *testing.T) {
		// A GET while another is pending: 400 and "transport error", as the
		// reference's polling transport ("overlap from client").
		rs := newReasons()
		url, _ := startServer(t, nil, func(srv *Server) {
			srv.OnConnection(func(s *Socket) { s.OnDisconnect(rs.add) })
		})
		p := openPoll(t, url)
		p.post("40")
		if status, got := p.get(); status != 200 || !strings.HasPrefix(got, `40{"sid":"`) {
			t.Fatalf("CONNECT reply: %d %q", status, got)
		}
		first := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodGet, p.url, nil)
			res, err := p.http.Do(req)
			if err != nil {
				first <- 0
				return
			}
			res.Body.Close()
			first <- res.StatusCode
		}()
		// Give the first GET time to become the pending one; whichever
		// arrives second is the overlap and gets the 400.
		time.Sleep(50 * time.Millisecond)
		second, _ := p.get()
		if f := <-first; f != http.StatusBadRequest && second != http.StatusBadRequest {
			t.Fatalf("overlapping GETs answered %d and %d, want a 400", f, second)
		}
		rs.wait(t, "transport error")
	})
}
