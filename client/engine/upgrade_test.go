//go:build !js

package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestCloseDuringUpgrade: Close while the upgrade waits for polling to pause
// (the probe succeeded, the server still holds the GET) sends the close
// packet over polling, so the server ends the session at once instead of by
// ping timeout; the probe websocket is closed.
func TestCloseDuringUpgrade(t *testing.T) {
	got := make(chan string, 8)
	probed := make(chan struct{})
	var gets atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Get("transport") == WebSocket:
			ws, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer ws.CloseNow()
			if _, b, err := ws.Read(r.Context()); err != nil || string(b) != "2probe" {
				return
			}
			if err := ws.Write(r.Context(), websocket.MessageText, []byte("3probe")); err != nil {
				return
			}
			close(probed)
			for {
				_, b, err := ws.Read(r.Context())
				if err != nil {
					got <- "websocket closed"
					return
				}
				got <- "websocket " + string(b)
			}
		case r.Method == http.MethodPost:
			b, _ := io.ReadAll(r.Body)
			got <- "post " + string(b)
			io.WriteString(w, "ok")
		case gets.Add(1) == 1:
			io.WriteString(w, `0{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000}`)
		default:
			<-r.Context().Done() // hold the poll: polling cannot pause
		}
	}))
	defer ts.Close()
	c, err := Dial(context.Background(), ts.URL, &Options{Transports: []string{Polling, WebSocket}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-probed:
	case <-time.After(waitTimeout):
		t.Fatal("no probe")
	}
	for range 500 { // wait (bounded) until the upgrade pauses polling
		c.mu.Lock()
		pausing := c.pausing
		c.mu.Unlock()
		if pausing {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.Close()
	want := map[string]bool{"post 1": true, "websocket closed": true}
	for len(want) > 0 {
		select {
		case g := <-got:
			if !want[g] {
				t.Fatalf("server got %q; still waiting for %v", g, want)
			}
			delete(want, g)
		case <-time.After(waitTimeout):
			t.Fatalf("server never got %v", want)
		}
	}
}
