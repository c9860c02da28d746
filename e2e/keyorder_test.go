//go:build !js

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
)

// TestBinaryKeyOrder: an object holding binary reaches the server byte for
// byte as JavaScript wrote it (keys in their order, then the attachment),
// from our wasm io as from the official bundle.
func TestBinaryKeyOrder(t *testing.T) {
	for _, page := range []string{"drive.html", "drive-official.html"} {
		t.Run(page, func(t *testing.T) {
			got := make(chan string, 1)
			g := startGoServer(t, goServerOptions{onConnect: func(s *server.Socket) {
				s.On("keys", func(e *server.Event) {
					select {
					case got <- fmt.Sprintf("%s %v", e.Args.Raw(0), e.Args.Attachments()):
					default:
					}
				})
			}})
			tb := newTab(t, page)
			tb.navigate(g.origin + "/testdata/" + page)
			tb.waitConsole("log: connect ", waitLong)
			eval[bool](tb, `s.emit("keys", {z: 1, a: new Uint8Array([7, 8]).buffer}), true`)
			want := `{"z":1,"a":{"_placeholder":true,"num":0}} [[7 8]]`
			select {
			case g := <-got:
				if g != want {
					t.Fatalf("server got %s\nwant       %s", g, want)
				}
			case <-time.After(waitShort):
				t.Fatalf("the server got no keys event; console:\n%s", tb.console())
			}
		})
	}
}
