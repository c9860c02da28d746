//go:build !js

package e2e

import (
	"strings"
	"testing"

	"github.com/duplexio/duplex/server"
)

// burstTextLen is the length of the text of event i of a burst, as gopage's
// burst.go expects it: i bytes, over 16 KB for every fourth event.
func burstTextLen(i int) int {
	if i%4 == 3 {
		return 16<<10 + i
	}
	return i
}

// TestBrowserGoPageBatch: on a page written in Go (no loader), the
// WebSocket's frames that arrive while the page is busy reach Go in one
// call (client/engine, websocket_batch_js.go): a burst of 40 events, text
// and binary interleaved, sent while a handler keeps the main thread busy,
// arrives complete and in order in fewer JavaScript entries than events
// (the strings the first burst's handlers decoded, which share their frames'
// bytes, are intact after the second burst, whose text differs),
// and a session closed by the server right after a burst delivers the
// whole burst before the disconnect (gopage.html?burst=1, burst.go). Under
// a Content-Security-Policy that forbids making functions from source, each
// frame is a call into Go, as before the batching, and the same holds.
func TestBrowserGoPageBatch(t *testing.T) {
	g := startGoServer(t, goServerOptions{onConnect: func(s *server.Socket) {
		s.On("burst", func(e *server.Event) {
			var closeAfter bool
			if err := e.Decode(&closeAfter); err != nil {
				t.Errorf("burst: %v", err)
				return
			}
			_ = s.Emit("start")
			fill := "y"
			if closeAfter {
				fill = "z" // the second burst's text differs from the first's
			}
			for i := range 40 {
				var err error
				if i%4 == 1 {
					err = s.Emit("b", i, []byte{byte(i), 255})
				} else {
					err = s.Emit("b", i, strings.Repeat(fill, burstTextLen(i)))
				}
				if err != nil {
					t.Errorf("emit %d: %v", i, err)
					return
				}
			}
			if closeAfter {
				s.Conn().Close("test")
			}
		})
	}})
	for _, c := range []struct{ name, page string }{
		{"batched", "/testdata/gopage.html?burst=1"},
		// Function is refused: one call per frame, as before, and still
		// in order.
		{"csp without unsafe-eval", "/csp/testdata/gopage.html?burst=1&csp=1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := newTab(t, "gobatch")
			tb.navigate(g.origin + c.page)
			res := waitJS[string](tb, "window.__result", 2*waitLong) // the page's own deadline is 30 s from its start
			t.Logf("console:\n%s", tb.console())
			if res != "pass" {
				t.Fatalf("gopage burst: %s", res)
			}
		})
	}
}
