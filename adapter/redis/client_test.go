//go:build !js

package redis

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
)

func newTestClient(t *testing.T, addr string) Client {
	t.Helper()
	c, err := NewClient(ClientOptions{Addrs: []string{addr}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// inbox collects the messages of a Subscriber.
type inbox struct {
	ch chan Message
}

func newInbox() *inbox { return &inbox{ch: make(chan Message, 100)} }

func (b *inbox) handle(m Message) { b.ch <- m }

func (b *inbox) next(t *testing.T) Message {
	t.Helper()
	select {
	case m := <-b.ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5 s")
		return Message{}
	}
}

func (b *inbox) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case m := <-b.ch:
		t.Fatalf("unexpected message %+v", m)
	case <-time.After(d):
	}
}

func TestClientPubSub(t *testing.T) {
	srv := redistest.Start(t)
	c := newTestClient(t, srv.Addr())
	ctx := t.Context()
	in := newInbox()
	sub := c.Subscribe(in.handle, SubscriberOptions{})
	defer sub.Close()
	if err := sub.Subscribe(ctx, Channel, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(ctx, Pattern, "p#*"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(ctx, Shard, "s1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, ch string }{{"a", "a"}, {"b", "b"}} {
		if n, err := c.NumSub(ctx, tc.ch); err != nil || n != 1 {
			t.Fatalf("NUMSUB %s = %d, %v; want 1", tc.ch, n, err)
		}
	}
	if n, err := c.ShardNumSub(ctx, "s1"); err != nil || n != 1 {
		t.Fatalf("SHARDNUMSUB s1 = %d, %v; want 1", n, err)
	}
	bin := []byte{0, 1, 0xfe, 0xff, '\r', '\n'}
	if err := c.Publish(ctx, "a", bin); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t); m.Kind != Channel || m.Channel != "a" || string(m.Payload) != string(bin) {
		t.Fatalf("got %+v", m)
	}
	if err := c.Publish(ctx, "p#room#", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t); m.Kind != Pattern || m.Pattern != "p#*" || m.Channel != "p#room#" || string(m.Payload) != "x" {
		t.Fatalf("got %+v", m)
	}
	if err := c.SPublish(ctx, "s1", []byte("sharded")); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t); m.Channel != "s1" || string(m.Payload) != "sharded" {
		t.Fatalf("got %+v", m)
	}
	if err := sub.Unsubscribe(ctx, Channel, "a"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Unsubscribe(ctx, Shard, "s1"); err != nil {
		t.Fatal(err)
	}
	_ = c.Publish(ctx, "a", []byte("gone"))
	_ = c.SPublish(ctx, "s1", []byte("gone"))
	if err := c.Publish(ctx, "b", []byte("still")); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t); m.Channel != "b" || string(m.Payload) != "still" {
		t.Fatalf("got %+v; the unsubscribed channels still deliver", m)
	}
	if n, _ := c.NumSub(ctx, "a"); n != 0 {
		t.Fatalf("NUMSUB a = %d after unsubscribe", n)
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(ctx, Channel, "z"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
	_ = c.Publish(ctx, "b", []byte("after close"))
	in.none(t, 100*time.Millisecond)
}

func TestClientStreams(t *testing.T) {
	srv := redistest.Start(t)
	c := newTestClient(t, srv.Addr())
	ctx := t.Context()
	if es, err := c.XRead(ctx, "st", "0", 10, 0); err != nil || es != nil {
		t.Fatalf("XREAD of a missing stream: %v, %v", es, err)
	}
	start := time.Now()
	if es, err := c.XRead(ctx, "st", "$", 10, 100*time.Millisecond); err != nil || es != nil {
		t.Fatalf("XREAD BLOCK with nothing: %v, %v", es, err)
	}
	if time.Since(start) < 90*time.Millisecond {
		t.Fatal("XREAD BLOCK returned before its block time")
	}
	got := make(chan []StreamEntry, 1)
	errc := make(chan error, 1)
	go func() {
		es, err := c.XRead(ctx, "st", "$", 10, 5*time.Second)
		got <- es
		errc <- err
	}()
	// XREAD $ must be waiting before the XADD.
	for !strings.Contains(info(t, srv), "blocked_clients:1") {
		time.Sleep(10 * time.Millisecond)
	}
	var ids []string
	for i, v := range []string{"one", "two\x00bin", "three"} {
		id, err := c.XAdd(ctx, "st", 10000, "uid", "u", "type", string(rune('3'+i)), "data", v)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if es := <-got; len(es) == 0 || es[0].ID != ids[0] || es[0].Fields["data"] != "one" || es[0].Fields["uid"] != "u" {
		t.Fatalf("blocked XREAD got %+v, want the first entry %s", es, ids[0])
	}
	es, err := c.XRead(ctx, "st", ids[0], 100, time.Second)
	if err != nil || len(es) != 2 || es[0].ID != ids[1] || es[0].Fields["data"] != "two\x00bin" {
		t.Fatalf("XREAD after %s: %+v, %v", ids[0], es, err)
	}
	es, err = c.XRange(ctx, "st", ids[1], ids[1])
	if err != nil || len(es) != 1 || es[0].Fields["type"] != "4" {
		t.Fatalf("XRANGE %s %s: %+v, %v", ids[1], ids[1], es, err)
	}
	es, err = c.XRange(ctx, "st", "-", "+")
	if err != nil || len(es) != 3 {
		t.Fatalf("XRANGE - +: %+v, %v", es, err)
	}
	if _, err := c.XAdd(ctx, "st", 0, "odd"); err == nil {
		t.Fatal("XAdd with an odd field list succeeded")
	}
	// MAXLEN ~ trims (approximately: whole macro nodes of 100 entries).
	for i := range 450 {
		if _, err := c.XAdd(ctx, "trim", 100, "i", strings.Repeat("x", i%3)); err != nil {
			t.Fatal(err)
		}
	}
	if all, err := c.XRange(ctx, "trim", "-", "+"); err != nil || len(all) >= 450 || len(all) < 100 {
		t.Fatalf("MAXLEN ~ 100 left %d entries (%v)", len(all), err)
	}
}

func TestClientSession(t *testing.T) {
	srv := redistest.Start(t)
	c := newTestClient(t, srv.Addr())
	ctx := t.Context()
	v := []byte{0x84, 0, 1, 2, 0xff}
	if err := c.SetPX(ctx, "sio:session:x", v, time.Minute); err != nil {
		t.Fatal(err)
	}
	if ttl, _ := srv.Do("PTTL", "sio:session:x"); !strings.HasPrefix(ttl, ":") || ttl == ":-1" || ttl == ":-2" {
		t.Fatalf("PTTL = %q, want a TTL", ttl)
	}
	got, ok, err := c.GetDel(ctx, "sio:session:x")
	if err != nil || !ok || string(got) != string(v) {
		t.Fatalf("GetDel = %x, %v, %v", got, ok, err)
	}
	if _, ok, err := c.GetDel(ctx, "sio:session:x"); err != nil || ok {
		t.Fatalf("second GetDel = %v, %v; want not found", ok, err)
	}
	if err := c.SetPX(ctx, "short", v, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok, err := c.GetDel(ctx, "short"); err != nil || ok {
		t.Fatalf("expired key found: %v, %v", ok, err)
	}
}

// TestClientResubscribe restarts redis-server under a Subscriber: it must
// reconnect, subscribe again to everything and say how long it was down.
func TestClientResubscribe(t *testing.T) {
	srv := redistest.Start(t)
	c := newTestClient(t, srv.Addr())
	ctx := t.Context()
	in := newInbox()
	reconnected := make(chan time.Duration, 4)
	sub := c.Subscribe(in.handle, SubscriberOptions{
		OnReconnect: func(down time.Duration, err error) { reconnected <- down },
		RetryMin:    10 * time.Millisecond, RetryMax: 100 * time.Millisecond,
	})
	defer sub.Close()
	if err := sub.Subscribe(ctx, Channel, "a"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(ctx, Pattern, "p*"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(ctx, Shard, "s"); err != nil {
		t.Fatal(err)
	}
	srv.Restart(300 * time.Millisecond)
	select {
	case down := <-reconnected:
		if down < 200*time.Millisecond {
			t.Fatalf("down %v, redis was down 300 ms", down)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the subscriber did not reconnect")
	}
	// Publishing right away may race with a command pipeline still being
	// redialled: retry the publish until it works.
	for _, tc := range []struct {
		pub  func() error
		want string
	}{
		{func() error { return c.Publish(ctx, "a", []byte("1")) }, "a"},
		{func() error { return c.Publish(ctx, "pz", []byte("2")) }, "pz"},
		{func() error { return c.SPublish(ctx, "s", []byte("3")) }, "s"},
	} {
		var err error
		for range 50 {
			if err = tc.pub(); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		if m := in.next(t); m.Channel != tc.want {
			t.Fatalf("got %+v, want on %s", m, tc.want)
		}
	}
	// A subscription added while Redis is down is made on reconnection.
	srv.Stop()
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	err := sub.Subscribe(sctx, Channel, "late")
	cancel()
	if err == nil {
		t.Fatal("Subscribe with Redis down reported success")
	}
	srv.Restart(0)
	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("the subscriber did not reconnect")
	}
	for range 50 {
		if err = c.Publish(ctx, "late", []byte("4")); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m := in.next(t); m.Channel != "late" {
		t.Fatalf("got %+v, want on late", m)
	}
}

// info returns redis-server's INFO clients.
func info(t *testing.T, srv *redistest.Server) string {
	t.Helper()
	s, err := srv.Do("INFO", "clients")
	if err != nil {
		t.Fatal(err)
	}
	return s
}
