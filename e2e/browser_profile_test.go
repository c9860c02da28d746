//go:build !js

package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

var (
	browserProfile     = flag.String("browser.profile", "", "BenchmarkBrowserProfile: write the self time of the page's functions to this file")
	browserProfilePage = flag.String("browser.profile.page", "measure.html", "BenchmarkBrowserProfile: the page to profile (measure-official.html: the official client; gomeasure.html: a page written in Go)")
	browserProfileSize = flag.Int("browser.profile.size", 16, "BenchmarkBrowserProfile: bytes per event (10k events per round; 1k from 1 KB up)")
)

// BenchmarkBrowserProfile profiles the wasm page (the V8 sampling profiler,
// through the DevTools protocol) while it receives 10k small events, and
// logs the functions with the most self time: where the main thread goes.
func BenchmarkBrowserProfile(b *testing.B) {
	g := floodServer(b)
	tb := newTab(b, "profile")
	loadConnect(tb, g.origin+"/testdata/"+*browserProfilePage)
	flood, pkg := floodJS, "./client/wasm"
	if strings.HasPrefix(*browserProfilePage, "gomeasure.html") {
		flood, pkg = "__flood", "./e2e/testdata/gomeasure"
	}
	eval[float64](tb, flood+"(500, 16)")
	run := func(f func(ctx context.Context, t *chromedp.Target) error) {
		if err := chromedp.Do(tb.ctx, chromedp.Func(f)); err != nil {
			b.Fatal(err)
		}
	}
	run(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return err
	})
	events := 10000
	if *browserProfileSize >= 1<<10 {
		events = 1000
	}
	for i := 0; i < b.N; i++ {
		eval[float64](tb, fmt.Sprintf("%s(%d, %d)", flood, events, *browserProfileSize))
	}
	var prof *profiler.Profile
	run(func(ctx context.Context, t *chromedp.Target) error {
		r, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		prof = r.Profile
		return err
	})
	self := map[string]int{}
	total := 0
	counts := map[int64]int{}
	for _, id := range prof.Samples {
		counts[id]++
	}
	for _, n := range prof.Nodes {
		name := n.CallFrame.FunctionName
		if name == "" {
			name = "(anonymous " + n.CallFrame.URL + ")"
		}
		self[name] += counts[int64(n.ID)]
		total += counts[int64(n.ID)]
	}
	// wasm-function[N]: name it from a build of the same code that keeps
	// its symbols (the page's is built with -s).
	name := wasmNamesOf(b, pkg)
	for k, n := range self {
		var i int
		if _, err := fmt.Sscanf(k, "wasm-function[%d]", &i); err != nil {
			continue
		}
		if gn, ok := name(i); ok {
			delete(self, k)
			self["go "+gn] += n
		}
	}
	names := make([]string, 0, len(self))
	for k := range self {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, c string) int { return self[c] - self[a] })
	var out strings.Builder
	// The header gives the scale: µs of the profile per event received.
	fmt.Fprintf(&out, "# %.1f µs per event (%d events, %d samples)\n", (prof.EndTime-prof.StartTime)/float64(b.N*events), b.N*events, total)
	for _, k := range names {
		fmt.Fprintf(&out, "%6.2f%% %s\n", 100*float64(self[k])/float64(total), k)
	}
	b.Log("\n" + out.String())
	if *browserProfile != "" {
		if err := os.WriteFile(*browserProfile, []byte(out.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
