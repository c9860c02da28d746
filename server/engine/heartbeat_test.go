package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

var (
	// shortHeartbeat makes sessions without pongs die fast.
	shortHeartbeat = &Options{PingInterval: 100 * time.Millisecond, PingTimeout: 100 * time.Millisecond}
	// fastPings pings often but tolerates a slow (loaded) test client.
	fastPings = &Options{PingInterval: 100 * time.Millisecond, PingTimeout: 2 * time.Second}
)

func TestHeartbeatPollingTimeout(t *testing.T) {
	ts := newTestServer(t, shortHeartbeat, false)
	sid, hs := ts.handshake(t)
	if hs.PingInterval != 100 || hs.PingTimeout != 100 {
		t.Fatalf("handshake %+v", hs)
	}
	start := time.Now()
	// Nobody polls: the timer closes the session.
	if c := ts.closed(t); c.reason != ReasonPingTimeout {
		t.Fatalf("close %q", c.reason)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("closed after %v", d)
	}
	if res := ts.poll(t, sid); res.status != 400 {
		t.Fatalf("GET after timeout: %d %q", res.status, res.body)
	}
}

func TestHeartbeatPollingAlive(t *testing.T) {
	ts := newTestServer(t, fastPings, false)
	sid, _ := ts.handshake(t)
	pings := 0
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && pings < 5 {
		res := ts.poll(t, sid)
		if res.status != 200 {
			t.Fatalf("GET after %d pings: %d %q", pings, res.status, res.body)
		}
		if res.body == "2" {
			pings++
			if r := ts.post(t, sid, "3"); r.status != 200 {
				t.Fatalf("POST pong: %d", r.status)
			}
		}
	}
	if pings < 5 {
		t.Fatalf("%d pings", pings)
	}
	select {
	case c := <-ts.closes:
		t.Fatalf("closed: %q", c.reason)
	default:
	}
}

func TestHeartbeatWebsocket(t *testing.T) {
	ts := newTestServer(t, fastPings, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	if _, open := readFrame(t, c); open[0] != '0' {
		t.Fatalf("first frame %q", open)
	}
	for i := range 5 {
		if _, f := readFrame(t, c); f != "2" {
			t.Fatalf("frame %d: %q, want a ping", i, f)
		}
		writeText(t, c, "3")
	}
	select {
	case c := <-ts.closes:
		t.Fatalf("closed: %q", c.reason)
	default:
	}
	// Stop answering.
	if _, f := readFrame(t, c); f != "2" {
		t.Fatalf("%q, want a ping", f)
	}
	if ev := ts.closed(t); ev.reason != ReasonPingTimeout {
		t.Fatalf("close %q", ev.reason)
	}
	if code := readClosed(t, c); code != websocket.StatusNormalClosure {
		t.Fatalf("close status %v", code)
	}
}

func TestHeartbeatWebsocketClientPing(t *testing.T) {
	ts := newTestServer(t, nil, false)
	c := ts.dial(t, "EIO=4&transport=websocket")
	readFrame(t, c)
	writeText(t, c, "2")
	if ev := ts.closed(t); ev.reason != ReasonTransportError {
		t.Fatalf("close %q", ev.reason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("websocket still open")
	}
}

// TestWebsocketStuckWriter checks that a peer that stops reading (the flush
// goroutine blocks in a write) is closed by the ping timeout and that the
// server's goroutines end.
func TestWebsocketStuckWriter(t *testing.T) {
	ts := newTestServer(t, shortHeartbeat, false)
	c, err := rawWebsocket(strings.TrimPrefix(ts.ts.URL, "http://"), "/engine.io/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := ts.session(t)
	big := eio.TextMessage(make([]byte, 1<<20))
	for range 64 {
		if err := s.Send(big); err != nil {
			break
		}
	}
	if ev := ts.closed(t); ev.reason != ReasonPingTimeout && ev.reason != ReasonTransportError {
		t.Fatalf("close %q", ev.reason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
