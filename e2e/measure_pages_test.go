//go:build !js

package e2e

import (
	"fmt"
	"testing"
)

// TestMeasurePages: every page of BenchmarkBrowserReceive (the wasm io, the
// official client, the Go pages and their floor) receives a small and a
// large flood to the end, so that a benchmark page that stops working fails
// here, not only when someone runs the benchmarks.
func TestMeasurePages(t *testing.T) {
	g := floodServer(t)
	for _, cl := range receiveClients {
		t.Run(cl.name, func(t *testing.T) {
			tb := newTab(t, "pages-"+cl.name)
			defer tb.close()
			loadConnect(tb, g.origin+"/testdata/"+cl.page)
			for _, c := range []struct{ n, size int }{{50, 16}, {20, 16 << 10}} {
				if ms := eval[float64](tb, fmt.Sprintf("%s(%d, %d)", cl.flood, c.n, c.size)); ms <= 0 {
					t.Fatalf("%d × %d B: the flood resolved with %v ms", c.n, c.size, ms)
				}
			}
		})
	}
}
