//go:build !js

package e2e

import "testing"

// TestBrowserHandshakeOverlap: the loader sends the Engine.IO handshake
// while client.wasm loads, and the Go client takes its response instead of
// sending its own: the page makes one handshake request (a polling GET
// without sid), which started before the Go client did.
func TestBrowserHandshakeOverlap(t *testing.T) {
	g := startGoServer(t, goServerOptions{})
	tb := newTab(t, "overlap")
	tb.navigate(g.origin + "/testdata/measure.html")
	waitJS[bool](tb, "window.__connectAt > 0", waitLong)
	got := eval[[]float64](tb, `(() => {
		const hs = performance.getEntriesByType("resource").filter((e) => e.name.includes("transport=polling") && !/[?&]sid=/.test(e.name));
		return [hs.length, hs.length ? hs[0].startTime : -1, io.duplex.timings.goStarted];
	})()`)
	if got[0] != 1 {
		t.Fatalf("%v handshake requests, want 1 (the loader's, taken by the Go client)", got[0])
	}
	if got[1] >= got[2] {
		t.Errorf("the handshake started at %.1f ms, after the Go client (%.1f ms)", got[1], got[2])
	}
	t.Logf("handshake sent at %.1f ms, Go client ready at %.1f ms", got[1], got[2])
}
