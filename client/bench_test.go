//go:build !js

package client

import (
	"context"
	"testing"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/server"
)

// BenchmarkGoServerEmitWithAck measures sequential emit + ack round trips
// against the Go server over loopback.
func BenchmarkGoServerEmitWithAck(b *testing.B) {
	for _, tc := range transportCases[:2] {
		b.Run(tc.name, func(b *testing.B) {
			ln := listen(b, "127.0.0.1:0")
			srv := server.New(&server.Options{Logger: quietLogger()})
			srv.OnConnection(func(s *server.Socket) {
				s.On("ack", func(e *server.Event) { _ = e.Ack(e.Args.Raw(0)) })
			})
			stop := serve(ln, srv)
			defer stop()
			s := Connect("http://"+ln.Addr().String(), &Options{Engine: engine.Options{Transports: tc.transports}, Logger: quietLogger()})
			defer s.Manager().Close()
			ctx := context.Background()
			if _, err := s.EmitWithAck(ctx, "ack", "warm up"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.EmitWithAck(ctx, "ack", map[string]any{"text": "hello", "n": 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
