//go:build !js

package redis

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// BenchmarkClassicCrossNode: a broadcast from one duplex node reaches a
// duplex client (websocket) of another node through Redis in classic mode.
// "serial": one broadcast at a time (ns/op is the cross-node latency);
// "burst": b.N broadcasts, then waiting for all (ns/op is the cost per
// delivered message under load).
func BenchmarkClassicCrossNode(b *testing.B) {
	rs := redistest.Start(b)
	g1 := startGoNode(b, "g1", rs.Addr(), classicMode(ClassicOptions{}))
	g2 := startGoNode(b, "g2", rs.Addr(), classicMode(ClassicOptions{}))
	s := client.Connect(g2.url, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Manager().Close()
	got := make(chan struct{}, 1<<16)
	client.On(s, "tick", func(_ *client.Event, n int) { got <- struct{}{} })
	deadline := time.Now().Add(10 * time.Second)
	for !s.Connected() {
		if time.Now().After(deadline) {
			b.Fatal("client not connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	wait := func() {
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			b.Fatal("a broadcast was not delivered")
		}
	}
	b.Run("serial", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := g1.srv.Emit("tick", i); err != nil {
				b.Fatal(err)
			}
			wait()
		}
	})
	b.Run("burst", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			if err := g1.srv.Emit("tick", i); err != nil {
				b.Fatal(err)
			}
			n++
			if n == cap(got)/2 {
				for range n {
					wait()
				}
				n = 0
			}
		}
		for range n {
			wait()
		}
	})
}
