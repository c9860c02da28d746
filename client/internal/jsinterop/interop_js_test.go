//go:build js && duplex_jsinterop

package jsinterop

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

func TestInteropUnderJS(t *testing.T) {
	url := os.Getenv("DUPLEX_TEST_URL")
	if url == "" {
		t.Fatal("DUPLEX_TEST_URL is not set: run this test through TestWasmUnderNode in package client")
	}
	for _, tc := range []struct {
		name       string
		transports []string
		want       string
	}{
		{"websocket", []string{"websocket"}, "websocket"},
		{"polling", []string{"polling"}, "polling"},
		{"upgrade", nil, "websocket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := client.Connect(url, &client.Options{Engine: engine.Options{Transports: tc.transports}})
			defer s.Manager().Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			bin := []byte{0, 1, 254, 255}
			args, err := s.EmitWithAck(ctx, "ack", "hello", bin)
			if err != nil {
				t.Fatal(err)
			}
			var str string
			var b []byte
			if err := args.Decode(0, &str); err != nil || str != "hello" {
				t.Fatalf("ack %q %v", str, err)
			}
			if err := args.Decode(1, &b); err != nil || !bytes.Equal(b, bin) {
				t.Fatalf("binary ack %v %v", b, err)
			}
			echo := make(chan *client.Event, 1)
			s.Once("echo", func(e *client.Event) { echo <- e })
			if err := s.Emit("echo", bin); err != nil {
				t.Fatal(err)
			}
			select {
			case e := <-echo:
				if err := e.Decode(&b); err != nil || !bytes.Equal(b, bin) {
					t.Fatalf("binary echo %v %v", b, err)
				}
			case <-ctx.Done():
				t.Fatal("no echo")
			}
			for s.Manager().Transport() != tc.want && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
			}
			if got := s.Manager().Transport(); got != tc.want {
				t.Fatalf("transport %q want %q", got, tc.want)
			}
			if _, err := s.EmitWithAck(ctx, "ack", 1); err != nil {
				t.Fatal(err)
			}
		})
	}
}
