//go:build !js

package redis

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/server"
)

// TestClassicSocketEmitStaysLocal: with connection state recovery on,
// Socket.Emit goes through the adapter's Broadcast; a classic adapter does
// not publish it (no other server has the socket), a broadcast to a room
// still is.
func TestClassicSocketEmitStaysLocal(t *testing.T) {
	fc := &fakeClient{}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := server.New(&server.Options{
		Adapter:                 NewClassic(fc, &ClassicOptions{Logger: discard}).Adapter,
		Logger:                  discard,
		ConnectionStateRecovery: &server.RecoveryOptions{},
	})
	srv.OnConnection(func(s *server.Socket) {
		_ = s.Emit("direct", 1)
		_ = srv.To("room").Emit("to-room", 2)
		_ = s.Emit("direct", 3)
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close(t.Context())
	s := client.Connect(ts.URL, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}, Logger: discard})
	defer s.Manager().Close()
	got := make(chan int, 4)
	client.On(s, "direct", func(_ *client.Event, n int) { got <- n })
	for _, want := range []int{1, 3} {
		select {
		case n := <-got:
			if n != want {
				t.Fatalf("got %d, want %d", n, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Socket.Emit not delivered")
		}
	}
	if err := srv.Of("/").Adapter().(*ClassicAdapter).Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.published != 1 {
		t.Fatalf("%d messages published, want 1 (the broadcast to a room)", fc.published)
	}
}
