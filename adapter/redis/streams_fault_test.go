//go:build !js

package redis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// syncBuffer is a log destination tests read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggingMaker is maker with its logs also written to buf.
func loggingMaker(mode string, buf *syncBuffer) adapterMaker {
	log := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := &cluster.Config{RequestTimeout: time.Second}
	if mode == "streams" {
		return adapterMaker{recovery: true, make: func(c redis.Client) (func(*server.Namespace) server.Adapter, interface{ Close() error }) {
			s := redis.NewStreams(c, &redis.StreamsOptions{Logger: log, Cluster: cfg})
			return s.Adapter, s
		}}
	}
	return adapterMaker{make: func(c redis.Client) (func(*server.Namespace) server.Adapter, interface{ Close() error }) {
		s := redis.NewSharded(c, &redis.ShardedOptions{Logger: log, Cluster: cfg})
		return s.Adapter, s
	}}
}

func waitLog(t *testing.T, buf *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no log %q in:\n%s", s, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisRestart restarts redis-server (empty) under two duplex nodes:
// broadcasts between them work again once it is back, with the room
// subscriptions (sharded) and the stream reading (streams) resumed, and what
// was lost is logged; no node dies with Redis.
func TestRedisRestart(t *testing.T) {
	for _, mode := range []string{"streams", "sharded"} {
		t.Run(mode, func(t *testing.T) {
			rs := redistest.Start(t)
			var buf syncBuffer
			mk := loggingMaker(mode, &buf)
			g1 := newGoNode(t, rs.Addr(), "g1", mk)
			g2 := newGoNode(t, rs.Addr(), "g2", mk)
			cl := nodeproc.Start(t, "clients", "clients.js")
			ev := collect(t, cl)
			cl.Call("connect", map[string]any{"name": "c2", "url": g2.hs.URL, "rooms": []string{"red"}, "transports": []string{"websocket"}})
			_ = g1.srv.To("red").Emit("before")
			ev.expect(t, "before the restart", []string{"c2"}, map[string][]string{"c2": {`["before"]`}})

			rs.Restart(500 * time.Millisecond)
			err := g1.srv.To("red").Emit("down")
			t.Logf("emit while Redis restarts: %v", err)
			waitLog(t, &buf, "connection was lost and is back")
			if mode == "streams" {
				waitLog(t, &buf, "reading the stream again")
				waitLog(t, &buf, "the last entry read is gone from the stream")
			}
			// Broadcasts flow again (those sent while Redis was down are
			// lost: pub/sub keeps nothing, the restarted stream is empty).
			deadline := time.Now().Add(10 * time.Second)
			for {
				_ = g1.srv.To("red").Emit("after")
				time.Sleep(100 * time.Millisecond)
				ev.mu.Lock()
				got := fmt.Sprint(ev.got["c2"])
				ev.mu.Unlock()
				if strings.Contains(got, `["after"]`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no broadcast after the restart; c2 got %s\nlogs:\n%s", got, buf.String())
				}
			}
			deadline = time.Now().Add(5 * time.Second)
			for {
				n, err := g2.adapter().ServerCount(context.Background())
				if n == 2 && err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("server count after the restart: %d, %v", n, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// TestDeadNodeRequests: a Node node that stops answering (SIGSTOP) makes a
// duplex node's fetchSockets and serverSideEmit with acks fail with
// cluster.ErrTimeout after the request timeout; once it is killed the server
// count drops and requests complete again.
func TestDeadNodeRequests(t *testing.T) {
	rs := redistest.Start(t)
	var buf syncBuffer
	g1 := newGoNode(t, rs.Addr(), "g1", loggingMaker("streams", &buf))
	n3 := nodeproc.Start(t, "n3", "node.js", "--mode", "streams", "--redis", rs.Addr(), "--name", "n3")
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := g1.adapter().ServerCount(ctx); n != 2; n, _ = g1.adapter().ServerCount(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("server count %d", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	n3.Signal(syscall.SIGSTOP)
	start := time.Now()
	_, err := g1.srv.FetchSockets(ctx)
	if !errors.Is(err, cluster.ErrTimeout) || !errors.Is(err, server.ErrTimeout) {
		t.Fatalf("fetchSockets with a stopped node: %v", err)
	}
	t.Logf("fetchSockets: %v after %v", err, time.Since(start).Round(time.Millisecond))
	if _, err := g1.adapter().ServerSideEmitWithAck(ctx, "hello"); !errors.Is(err, cluster.ErrTimeout) {
		t.Fatalf("serverSideEmitWithAck with a stopped node: %v", err)
	}
	n3.Kill(syscall.SIGKILL)
	deadline = time.Now().Add(10 * time.Second)
	for n, _ := g1.adapter().ServerCount(ctx); n != 1; n, _ = g1.adapter().ServerCount(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("server count %d after the node was killed", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := g1.srv.FetchSockets(ctx); err != nil {
		t.Fatalf("fetchSockets alone: %v", err)
	}
}

// TestMalformedMessages publishes garbage where the nodes read (stream
// entries, the namespace's channels): it is logged and ignored, and the nodes
// go on working.
func TestMalformedMessages(t *testing.T) {
	for _, mode := range []string{"streams", "sharded"} {
		t.Run(mode, func(t *testing.T) {
			rs := redistest.Start(t)
			var buf syncBuffer
			mk := loggingMaker(mode, &buf)
			g1 := newGoNode(t, rs.Addr(), "g1", mk)
			g2 := newGoNode(t, rs.Addr(), "g2", mk)
			cl := nodeproc.Start(t, "clients", "clients.js")
			ev := collect(t, cl)
			cl.Call("connect", map[string]any{"name": "c2", "url": g2.hs.URL, "rooms": []string{"red"}, "transports": []string{"websocket"}})
			pub := "PUBLISH"
			if mode == "sharded" {
				pub = "SPUBLISH"
			}
			bad := [][]string{
				{pub, "socket.io#/#", "\xc1\xff"},
				{pub, "socket.io#/#", `{"type":3,"data":{"packet":{"type":2,"data":{}},"opts":{}},"uid":"x","nsp":"/"}`},
				{pub, "socket.io#/#", `{"type":7,"data":null,"uid":"x","nsp":"/"}`},
				{pub, "socket.io#/#", "\x84\xa4type\x03\xa4data\xc0\xa3uid\xa1x\xa3nsp\xa1/"},
			}
			if mode == "streams" {
				bad = append(bad,
					[]string{"XADD", "socket.io", "*", "uid", "x", "nsp", "/", "type", "three", "data", "{}"},
					[]string{"XADD", "socket.io", "*", "uid", "x", "nsp", "/", "type", "3", "data", "!!notbase64"},
					[]string{"XADD", "socket.io", "*", "uid", "x", "nsp", "/", "type", "3", "data", "{\"packet\":1}"},
					[]string{"XADD", "socket.io", "*", "uid", "x", "nsp", "/", "type", "3", "data", "wcE="})
			}
			for _, cmd := range bad {
				if r, err := rs.Do(cmd...); err != nil || strings.HasPrefix(r, "-") {
					t.Fatalf("%q: %q %v", cmd, r, err)
				}
			}
			waitLog(t, &buf, "malformed")
			_ = g1.srv.To("red").Emit("still")
			ev.expect(t, "after garbage", []string{"c2"}, map[string][]string{"c2": {`["still"]`}})
			t.Logf("%d malformed messages logged", strings.Count(buf.String(), "malformed"))
		})
	}
}
