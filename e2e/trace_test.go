//go:build !js

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// traceJS returns what testdata/trace.js recorded, the loader's marks and the
// resource timing of every request, as lines sorted by time.
const traceJS = `(() => {
	const lines = [];
	const f = (x) => (x > 0 ? x.toFixed(1) : "-").padStart(7);
	for (const e of performance.getEntriesByType("resource")) {
		const n = e.name.replace(/^.*\//, "").slice(0, 70);
		lines.push([e.startTime, f(e.startTime) + " res    " + n + "  req " + f(e.requestStart) + " ttfb " + f(e.responseStart) +
			" end " + f(e.responseEnd) + " " + e.nextHopProtocol + " transfer " + e.transferSize + " enc " + e.encodedBodySize + " dec " + e.decodedBodySize]);
	}
	for (const [t, what, d] of window.__trace || []) lines.push([t, f(t) + " " + what.padEnd(7) + d]);
	const d = (window.io && io.duplex && io.duplex.timings) || {};
	for (const k in d) lines.push([d[k], f(d[k]) + " mark   " + k]);
	lines.sort((a, b) => a[0] - b[0]);
	return lines.map((l) => l[1]).join("\n");
})()`

// TestTraceLoad prints (it asserts nothing about time) one cold and one warm
// load of each client, every request and frame with its time from the
// navigation start: where the time to connect goes.
func TestTraceLoad(t *testing.T) {
	g := startGoServer(t, goServerOptions{})
	// The server compresses client.wasm on its first request: a first load
	// that is not reported.
	tb := newTab(t, "trace-first")
	tb.navigate(g.origin + "/testdata/measure-trace.html")
	waitJS[bool](tb, "window.__connectAt > 0", waitLong)
	tb.close()
	var out strings.Builder
	for _, page := range []string{"measure-trace.html", "measure-trace-official.html"} {
		for _, c := range []struct {
			name  string
			prime bool
			pause time.Duration
		}{
			{"cold", false, 0},
			{"warm (reloaded at once)", true, 0},
			// V8 writes its code cache of a wasm module a few seconds after compiling it.
			{"warm (reloaded after 3 s)", true, 3 * time.Second},
		} {
			tb := newTab(t, "trace-"+page)
			if c.prime {
				tb.navigate(g.origin + "/testdata/" + page)
				waitJS[bool](tb, "window.__connectAt > 0", waitLong)
				time.Sleep(c.pause)
			}
			tb.navigate(g.origin + "/testdata/" + page)
			waitJS[bool](tb, "window.__ackAt > 0", waitLong)
			fmt.Fprintf(&out, "== %s, %s\n%s\n", page, c.name, eval[string](tb, traceJS))
			tb.close()
		}
	}
	t.Log("\n" + out.String())
}
