//go:build !js

package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// TestClassicRedisRestart: redis-server dies and comes back empty; the
// adapters reconnect and resubscribe, say what was lost, never die; the
// clients stay connected and cross-node broadcasts work again.
func TestClassicRedisRestart(t *testing.T) {
	rs := redistest.Start(t)
	addr := rs.Addr()
	g1 := startGoNode(t, "g1", addr, classicMode(ClassicOptions{RequestsTimeout: time.Second}))
	g2 := startGoNode(t, "g2", addr, classicMode(ClassicOptions{RequestsTimeout: time.Second}))
	n3 := nodeproc.Start(t, "n3", "node.js", "--mode", "classic", "--redis", addr, "--name", "n3")
	clients := nodeproc.Start(t, "clients", "clients.js")
	urls := map[string]string{"g1": g1.url, "g2": g2.url, "n3": "http://127.0.0.1:" + strconv.Itoa(n3.Port())}
	var names []string
	for _, node := range []string{"g1", "g2", "n3"} {
		clients.MustCall("connect", map[string]any{"name": node + "-c", "url": urls[node], "rooms": []string{"r"}}, nil)
		names = append(names, node+"-c")
	}
	all := map[string]bool{"g1-c": true, "g2-c": true, "n3-c": true}
	if err := g1.srv.Emit("before"); err != nil {
		t.Fatal(err)
	}
	expectDeliveries(t, clients, names, "before", all)

	rs.Stop()
	// While Redis is down: a broadcast reaches the local clients; Emit
	// does not wait for Redis, the lost publish is logged and counted;
	// nothing panics.
	if err := g1.srv.Emit("during"); err != nil {
		t.Fatalf("Emit with Redis down: %v (the publish is queued, its failure logged)", err)
	}
	expectDeliveries(t, clients, names, "during", map[string]bool{"g1-c": true})
	if _, err := g1.srv.FetchSockets(t.Context()); err == nil {
		t.Error("FetchSockets with Redis down reported no error")
	}
	g1.logs.waitFor(t, "broadcasts not published", 2*time.Second)
	if n := g1.srv.Of("/").Adapter().(*ClassicAdapter).LostBroadcasts(); n < 1 {
		t.Errorf("LostBroadcasts %d after a broadcast with Redis down, want >= 1", n)
	}
	time.Sleep(time.Second)
	rs.Restart(0)

	for _, g := range []*goNode{g1, g2} {
		g.logs.waitFor(t, "resubscribed after losing the connection", 10*time.Second)
		if !strings.Contains(g.logs.String(), "lost") {
			t.Errorf("%s: the loss is not logged:\n%s", g.name, g.logs.String())
		}
	}
	// node-redis reconnects on its own schedule: wait for the 3 servers.
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := g1.srv.Of("/").Adapter().ServerCount(t.Context())
		if err == nil && n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server count %d, %v after the restart; want 3", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// node-redis subscribes again to the request channel and to the
	// broadcast pattern with separate commands: probe until n3's client gets
	// a broadcast from g1.
	for probe := time.Now(); len(received(clients, "n3-c", "probe")) == 0; {
		if time.Since(probe) > 15*time.Second {
			t.Fatal("n3 gets no broadcast from g1 after the restart")
		}
		_ = g1.srv.Emit("probe")
		time.Sleep(100 * time.Millisecond)
	}
	if err := g1.srv.Emit("after-g1"); err != nil {
		t.Fatal(err)
	}
	expectDeliveries(t, clients, names, "after-g1", all)
	n3.MustCall("emit", map[string]any{"event": "after-n3"}, nil)
	expectDeliveries(t, clients, names, "after-n3", all)
	sockets, err := g2.srv.FetchSockets(t.Context())
	if err != nil || len(sockets) != 3 {
		t.Fatalf("FetchSockets after the restart: %d, %v; want 3", len(sockets), err)
	}
	for _, name := range names {
		if evs := clients.EventsWhere(func(e map[string]any) bool {
			return str(e, "name") == name && str(e, "ev") == "disconnect"
		}); len(evs) > 0 {
			t.Errorf("client %s was disconnected by the Redis restart", name)
		}
	}
}

// TestClassicNodeDies: a server that does not answer makes requests fail
// with ErrTimeout (saying how many answered); a server that dies leaves the
// count.
func TestClassicNodeDies(t *testing.T) {
	rs := redistest.Start(t)
	addr := rs.Addr()
	g1 := startGoNode(t, "g1", addr, classicMode(ClassicOptions{RequestsTimeout: 500 * time.Millisecond}))
	n3 := nodeproc.Start(t, "n3", "node.js", "--mode", "classic", "--redis", addr, "--name", "n3")
	clients := nodeproc.Start(t, "clients", "clients.js")
	clients.MustCall("connect", map[string]any{"name": "g1-c", "url": g1.url}, nil)
	clients.MustCall("connect", map[string]any{"name": "n3-c", "url": "http://127.0.0.1:" + strconv.Itoa(n3.Port())}, nil)
	ctx := t.Context()
	count := func() int {
		n, err := g1.srv.Of("/").Adapter().ServerCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("server count %d, want 2", n)
	}

	// A hung server: subscribed to the requests, never answers.
	hc := newTestClient(t, addr)
	hung := hc.Subscribe(func(Message) {}, SubscriberOptions{})
	if err := hung.Subscribe(ctx, Channel, "socket.io-request#/#"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Fatalf("server count %d with the hung server, want 3", n)
	}
	start := time.Now()
	_, err := g1.srv.FetchSockets(ctx)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, server.ErrTimeout) {
		t.Fatalf("FetchSockets with a hung server: %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), "1 of 2 servers answered") {
		t.Errorf("error %q does not say how many answered", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("FetchSockets took %v with a 500 ms requests timeout", d)
	}
	a := g1.srv.Of("/").Adapter().(*ClassicAdapter)
	replies, err := a.ServerSideEmitWithAck(ctx, "hello", "x")
	if !errors.Is(err, ErrTimeout) || len(replies) != 1 {
		t.Fatalf("ServerSideEmitWithAck with a hung server: %d replies, %v; want n3's and ErrTimeout", len(replies), err)
	}
	acks, err := g1.srv.Timeout(500*time.Millisecond).EmitWithAck(ctx, "ping")
	if !errors.Is(err, server.ErrTimeout) || len(acks) != 2 {
		t.Fatalf("EmitWithAck with a hung server: %d acks, %v; want 2 and ErrTimeout", len(acks), err)
	}
	if err := hung.Close(); err != nil {
		t.Fatal(err)
	}

	// The Node server dies: the count drops, requests complete without it.
	n3.Kill(syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for count() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("server count %d after n3 died, want 1", count())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sockets, err := g1.srv.FetchSockets(ctx)
	if err != nil || len(sockets) != 1 {
		t.Fatalf("FetchSockets after n3 died: %d, %v; want g1's 1", len(sockets), err)
	}
	acks, err = g1.srv.Timeout(2*time.Second).EmitWithAck(ctx, "ping")
	if err != nil || len(acks) != 1 {
		t.Fatalf("EmitWithAck after n3 died: %d, %v", len(acks), err)
	}
}

// TestClassicMalformed: garbage on every channel is logged and dropped; the
// node goes on working.
func TestClassicMalformed(t *testing.T) {
	rs := redistest.Start(t)
	addr := rs.Addr()
	g1 := startGoNode(t, "g1", addr, classicMode(ClassicOptions{}))
	g2 := startGoNode(t, "g2", addr, classicMode(ClassicOptions{}))
	clients := nodeproc.Start(t, "clients", "clients.js")
	clients.MustCall("connect", map[string]any{"name": "g1-c", "url": g1.url, "rooms": []string{"red"}}, nil)
	c := newTestClient(t, addr)
	ctx := t.Context()
	garbage := []struct{ channel, payload string }{
		{"socket.io#/#", "\xc1"},
		{"socket.io#/#", "\x93\xa1x\x01\x02"},                             // packet not an object
		{"socket.io#/#", "\x93\xa1x\x81\xa4type\x02\x80"},                 // opts not an object... packet without data
		{"socket.io#/#red#", "\x92\xa1x\x80"},                             // two elements
		{"socket.io#/#red#", "\xdd\xff\xff\xff\xff"},                      // huge array header
		{"socket.io#/#red#", "\x93\xa1x\x82\xa4type\x02\xa4data\x90\x80"}, // empty data
		{"socket.io-request#/#", "{not json"},
		{"socket.io-request#/#", `{"type":"x"}`},
		{"socket.io-request#/#", `{"type":5,"requestId":"r"}`}, // fetch without opts
		{"socket.io-request#/#", `{"type":6,"data":{}}`},
		{"socket.io-request#/#", `{"type":7,"requestId":"r","packet":1}`},
		{"socket.io-request#/#", `[1,2]`},
		{"socket.io-request#/#", `{"type":99}`},
		{"socket.io-response#/#", "\xc1\xc1"},
		{"socket.io-response#/#", `{"requestId":`},
	}
	for _, g := range garbage {
		if err := c.Publish(ctx, g.channel, []byte(g.payload)); err != nil {
			t.Fatal(err)
		}
	}
	// Still working: a broadcast from g2 reaches g1's client.
	if err := g2.srv.To("red").Emit("still"); err != nil {
		t.Fatal(err)
	}
	expectDeliveries(t, clients, []string{"g1-c"}, "still", map[string]bool{"g1-c": true})
	// g2 has no socket in room red: it does not even read what comes on
	// that room's channel.
	onRed := 0
	for _, g := range garbage {
		if g.channel == "socket.io#/#red#" {
			onRed++
		}
	}
	for _, g := range []*goNode{g1, g2} {
		want := len(garbage)
		if g == g2 {
			want -= onRed
		}
		if n := strings.Count(g.logs.String(), "message dropped"); n != want {
			t.Errorf("%s logged %d dropped messages, want %d:\n%s", g.name, n, want, g.logs.String())
		}
	}
	_ = context.Background
}

// TestClassicRedisDownAtStart: a node created while Redis is unreachable
// starts (after RequestsTimeout), subscribes once Redis is there, and joins
// the cluster.
func TestClassicRedisDownAtStart(t *testing.T) {
	rs := redistest.Start(t)
	addr := rs.Addr()
	rs.Stop()
	start := time.Now()
	g1 := startGoNode(t, "g1", addr, classicMode(ClassicOptions{RequestsTimeout: 300 * time.Millisecond}))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("creating the node took %v with a 300 ms requests timeout", d)
	}
	g1.logs.waitFor(t, "cannot subscribe yet", time.Second)
	rs.Restart(0)
	g1.logs.waitFor(t, "resubscribed after losing the connection", 10*time.Second)
	g2 := startGoNode(t, "g2", addr, classicMode(ClassicOptions{}))
	clients := nodeproc.Start(t, "clients", "clients.js")
	clients.MustCall("connect", map[string]any{"name": "g1-c", "url": g1.url}, nil)
	if err := g2.srv.Emit("hi"); err != nil {
		t.Fatal(err)
	}
	expectDeliveries(t, clients, []string{"g1-c"}, "hi", map[string]bool{"g1-c": true})
	if n, err := g2.srv.Of("/").Adapter().ServerCount(t.Context()); err != nil || n != 2 {
		t.Errorf("server count %d, %v; want 2", n, err)
	}
}

// TestClassicPublishQueueBounded: with Redis hung (SIGSTOP), the classic
// queue holds ClassicOptions.PublishQueue broadcasts; the next Broadcast
// waits for room until its ctx ends and fails with ctx's error. Once Redis
// continues, everything queued is published.
func TestClassicPublishQueueBounded(t *testing.T) {
	const bound = 8
	rs := redistest.Start(t)
	c, err := NewClient(ClientOptions{Addrs: []string{rs.Addr()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl := NewClassic(c, &ClassicOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublishQueue: bound, PublishTimeout: 30 * time.Second})
	srv := server.New(&server.Options{Adapter: cl.Adapter})
	defer cl.Close()
	defer srv.Close(context.Background())
	a := srv.Of("/").Adapter().(*ClassicAdapter)
	if err := a.Flush(t.Context()); err != nil { // subscribed and connected
		t.Fatal(err)
	}

	rs.Pause()
	queued := 0
	for i := range 10 * bound {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		p := &sio.Packet{Type: sio.Event, Namespace: "/", Data: json.RawMessage(fmt.Sprintf(`["n",%d]`, i))}
		err := a.Broadcast(ctx, p, server.BroadcastOptions{})
		cancel()
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				rs.Resume()
				t.Fatalf("Broadcast on a full queue: %v, want a deadline error", err)
			}
			break
		}
		queued++
	}
	rs.Resume()
	// At most bound+1 in the pipeline stuck in Redis, bound in the queue.
	if queued > 2*bound+1 || queued < bound {
		t.Fatalf("%d broadcasts queued with PublishQueue %d", queued, bound)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := a.LostBroadcasts(); n != 0 {
		t.Fatalf("LostBroadcasts %d after Redis continued", n)
	}
	stats, err := rs.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("cmdstat_publish:calls=%d,", queued); !strings.Contains(stats, want) {
		t.Fatalf("INFO commandstats has no %q:\n%s", want, stats)
	}
}
