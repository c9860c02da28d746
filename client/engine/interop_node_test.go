//go:build interop && !js

package engine

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/protocol/eio"
)

// TestNodeEngine: the bare Engine.IO client against the reference engine.io
// server (echo of text and binary messages, upgrade, heartbeat, server close).
func TestNodeEngine(t *testing.T) {
	p := nodetest.Start(t, "client/engine.js", nil)
	url := "http://127.0.0.1:" + strings.TrimPrefix(p.Expect(t, "listening ", waitTimeout), "listening ")
	for _, tc := range []struct {
		name       string
		transports []string
		want       string
	}{
		{"websocket", []string{WebSocket}, WebSocket},
		{"polling", []string{Polling}, Polling},
		{"upgrade", nil, WebSocket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			c, err := Dial(ctx, url, &Options{Transports: tc.transports, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if hs := c.Handshake(); hs.PingInterval != 300 || hs.PingTimeout != 3000 || c.ID() == "" {
				t.Fatalf("handshake %+v", hs)
			}
			big := bytes.Repeat([]byte("y"), 100000)
			msgs := []eio.Packet{eio.TextMessage([]byte("héllo")), eio.BinaryMessage([]byte{0, 1, 2, 255}), eio.TextMessage(big)}
			echo := func() {
				t.Helper()
				if err := c.Send(msgs...); err != nil {
					t.Fatal(err)
				}
				for _, want := range msgs {
					select {
					case got, ok := <-c.Packets():
						if !ok {
							t.Fatalf("closed: %v", c.Err())
						}
						if got.Binary != want.Binary || !bytes.Equal(got.Data, want.Data) {
							t.Fatalf("echo %q (binary %v), want %.20q", got.Data, got.Binary, want.Data)
						}
					case <-ctx.Done():
						t.Fatal("no echo")
					}
				}
			}
			echo()
			for c.Transport() != tc.want && ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond)
			}
			if c.Transport() != tc.want {
				t.Fatalf("transport %q want %q", c.Transport(), tc.want)
			}
			// several heartbeats (a ping every 300 ms): the client answers pings; the
			// 3 s ping timeout leaves room for a machine loaded by a -race run
			time.Sleep(1200 * time.Millisecond)
			echo()
			if err := c.Send(eio.TextMessage([]byte("close me"))); err != nil {
				t.Fatal(err)
			}
			for {
				select {
				case _, ok := <-c.Packets():
					if ok {
						continue
					}
				case <-ctx.Done():
					t.Fatal("session not closed by the server")
				}
				break
			}
			ce, _ := asCloseError(c.Err())
			if ce == nil || ce.Reason != ReasonTransportClose {
				t.Fatalf("close %v", c.Err())
			}
		})
	}
}
