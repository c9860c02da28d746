//go:build !js

package redis_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// BenchmarkCrossNode measures a broadcast from one duplex node to a client
// of another through Redis, in the streams and sharded modes: "roundtrip"
// waits for each event before the next (ns/op is the cross-node latency),
// "burst" sends b.N events and waits for the last (ns/op is the time per
// delivered event).
func BenchmarkCrossNode(b *testing.B) {
	for _, mode := range []struct {
		name  string
		maker adapterMaker
	}{{"streams", streamsAdapter}, {"sharded", shardedAdapter}} {
		b.Run(mode.name, func(b *testing.B) {
			rs := redistest.Start(b)
			a := newGoNode(b, rs.Addr(), "a", mode.maker)
			n := newGoNode(b, rs.Addr(), "b", mode.maker)
			var got atomic.Int64
			sig := make(chan struct{}, 1)
			sock := client.Connect(n.hs.URL, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}, Query: map[string][]string{"rooms": {"r"}}}})
			defer sock.Manager().Close()
			connected := make(chan struct{}, 1)
			sock.OnConnect(func() { connected <- struct{}{} })
			sock.On("x", func(*client.Event) {
				got.Add(1)
				select {
				case sig <- struct{}{}:
				default:
				}
			})
			<-connected
			b.Run("roundtrip", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					want := got.Load() + 1
					_ = a.srv.To("r").Emit("x", i)
					for got.Load() < want {
						select {
						case <-sig:
						case <-time.After(5 * time.Second):
							b.Fatalf("event %d lost", i)
						}
					}
				}
			})
			b.Run("burst", func(b *testing.B) {
				want := got.Load() + int64(b.N)
				for i := 0; i < b.N; i++ {
					_ = a.srv.To("r").Emit("x", i)
				}
				for got.Load() < want {
					select {
					case <-sig:
					case <-time.After(10 * time.Second):
						b.Fatalf("%d of %d events lost", want-got.Load(), b.N)
					}
				}
			})
		})
	}
}
