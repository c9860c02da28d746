//go:build !js

package e2e

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestBrowserLoadAfterConnect: on a page that calls io() in a script after
// the loader's (measure.html), client.wasm is requested only once the
// loader's connection has its CONNECT's reply (the CONNECT POST and the
// poll that brings the reply were sent), so that fetching and compiling the
// binary does not take the CPU the connection's responses need; the Go
// client then takes the connection over and the page's first emit is
// acknowledged. The loader used to start the load on a timer that fired
// between the two scripts, before the handshake.
func TestBrowserLoadAfterConnect(t *testing.T) {
	var (
		mu     sync.Mutex
		atWasm []string // the Engine.IO requests seen when client.wasm was asked for
		asked  bool
	)
	e := startEarlyServer(t, func(reqs []string) bool {
		mu.Lock()
		defer mu.Unlock()
		if !asked {
			asked = true
			atWasm = slices.Clone(reqs)
		}
		return true
	})
	tb := newTab(t, "load-after-connect")
	tb.navigate(e.origin + "/testdata/measure.html")
	waitJS[bool](tb, "window.__ackAt > 0", waitLong)
	mu.Lock()
	defer mu.Unlock()
	var handshake, connect, poll bool
	for _, r := range atWasm {
		switch {
		case r == "GET handshake":
			handshake = true
		case strings.HasPrefix(r, "POST sid=") && len(connects([]string{r})) > 0:
			connect = true
		case strings.HasPrefix(r, "GET sid="):
			poll = true
		}
	}
	if !handshake || !connect || !poll {
		t.Fatalf("client.wasm was requested after %q, want the handshake, the CONNECT POST and the poll", atWasm)
	}
	if got := eval[float64](tb, "io.duplex.timings.connected || 0"); got <= 0 {
		t.Errorf("the loader did not report connect itself (timings.connected %v)", got)
	}
}
