//go:build !js

package e2e

import (
	"context"
	"encoding/json"
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
	browserProfile         = flag.String("browser.profile", "", "BenchmarkBrowserProfile: write the self and total time of the page's functions to this file, and the profile to this file.cpuprofile")
	browserProfilePage     = flag.String("browser.profile.page", "measure.html", "BenchmarkBrowserProfile: the page to profile (measure-official.html: the official client; gomeasure.html: a page written in Go)")
	browserProfileSize     = flag.Int("browser.profile.size", 16, "BenchmarkBrowserProfile: bytes per event (10k events per round; 1k from 1 KB up)")
	browserProfileInterval = flag.Int("browser.profile.interval", 0, "BenchmarkBrowserProfile: the sampling interval in µs (0: V8's default); a smaller one resolves the short functions of a large event")
)

// BenchmarkBrowserProfile profiles the wasm page (the V8 sampling profiler,
// through the DevTools protocol) while it receives 10k small events, and
// logs the functions with the most self time, and the total time of each
// (what it costs with all it calls): where the main thread goes.
func BenchmarkBrowserProfile(b *testing.B) {
	g := floodServer(b)
	tb := newTab(b, "profile")
	loadConnect(tb, g.origin+"/testdata/"+*browserProfilePage)
	flood, pkg := floodJS, "./client/wasm"
	switch {
	case strings.HasPrefix(*browserProfilePage, "gomeasure.html"):
		flood, pkg = "__flood", "./e2e/testdata/gomeasure"
	case strings.HasPrefix(*browserProfilePage, "gofloor.html"):
		flood, pkg = "__flood", "./e2e/testdata/gofloor"
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
		if *browserProfileInterval > 0 {
			if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: int64(*browserProfileInterval)}); err != nil {
				return err
			}
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
	// wasm-function[N]: name it from a build of the same code that keeps
	// its symbols (the page's is built with -s).
	wasmName := wasmNamesOf(b, pkg)
	nameOf := func(n *profiler.ProfileNode) string {
		name := n.CallFrame.FunctionName
		if name == "" {
			return "(anonymous " + n.CallFrame.URL + ")"
		}
		var i int
		if _, err := fmt.Sscanf(name, "wasm-function[%d]", &i); err == nil {
			if gn, ok := wasmName(i); ok {
				return "go " + gn
			}
		}
		return name
	}
	// self: the samples in a function itself; total: those with the
	// function anywhere on the stack (once per sample, recursion or not),
	// which shows what a Go function costs with all it calls.
	nodes, parent := profileTree(prof)
	self, incl := map[string]int{}, map[string]int{}
	for _, id := range prof.Samples {
		self[nameOf(nodes[id])]++
		seen := map[string]bool{}
		for ok := true; ok; id, ok = parent[id] {
			if k := nameOf(nodes[id]); !seen[k] {
				seen[k] = true
				incl[k]++
			}
		}
	}
	total := len(prof.Samples)
	names := make([]string, 0, len(incl))
	for k := range incl {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, c string) int {
		if self[a] != self[c] {
			return self[c] - self[a]
		}
		return incl[c] - incl[a]
	})
	var out strings.Builder
	// The header gives the scale: µs of the profile per event received.
	fmt.Fprintf(&out, "# %.1f µs per event (%d events, %d samples); self %%, total %%, function\n", (prof.EndTime-prof.StartTime)/float64(b.N*events), b.N*events, total)
	for _, k := range names {
		fmt.Fprintf(&out, "%6.2f%% %6.2f%% %s\n", 100*float64(self[k])/float64(total), 100*float64(incl[k])/float64(total), k)
	}
	b.Log("\n" + out.String())
	if *browserProfile != "" {
		if err := os.WriteFile(*browserProfile, []byte(out.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		// The whole profile beside it, for Chromium's DevTools (Performance,
		// load profile) or a script, its wasm functions named as in the table.
		for _, n := range prof.Nodes {
			if strings.HasPrefix(n.CallFrame.FunctionName, "wasm-function[") {
				n.CallFrame.FunctionName = nameOf(n)
			}
		}
		raw, err := json.Marshal(prof)
		if err == nil {
			err = os.WriteFile(*browserProfile+".cpuprofile", raw, 0o644)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// profileTree indexes a CPU profile's nodes by id, and gives each node's
// parent (the root has none).
func profileTree(prof *profiler.Profile) (nodes map[int64]*profiler.ProfileNode, parent map[int64]int64) {
	nodes, parent = map[int64]*profiler.ProfileNode{}, map[int64]int64{}
	for _, n := range prof.Nodes {
		nodes[int64(n.ID)] = n
		for _, c := range n.Children {
			parent[c] = int64(n.ID)
		}
	}
	return nodes, parent
}
