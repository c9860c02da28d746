//go:build !js

package redis

import (
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// BenchmarkClassicWire: the codec cost of one broadcast, written by the
// sending node and read by each other node.
func BenchmarkClassicWire(b *testing.B) {
	p, err := sio.NewEvent("/", "chat", map[string]any{"user": "alice", "text": "hello, world", "n": 42, "tags": []string{"a", "b"}})
	if err != nil {
		b.Fatal(err)
	}
	opts := server.BroadcastOptions{Rooms: []string{"room"}}
	msg, err := encodeBroadcast("abcdef", "/", &p, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeBroadcast("abcdef", "/", &p, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeBroadcast(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
