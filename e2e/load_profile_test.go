//go:build !js

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"

	"github.com/duplexio/duplex/client/wasm/sizereport/report"
)

// BenchmarkBrowserLoadProfile profiles page loads of measure.html (the V8
// sampling profiler at 100 µs, from navigation to the connect event), cold
// (a fresh browser context) and warm (a reload 3 s after a first load, when
// V8 has written its code cache of client.wasm), and logs per load the time
// in Go code (wasm functions), V8 itself ("(program)": compiling, streaming,
// parsing), JavaScript and idle, and the functions with the most self time.
//
//	go test -tags interop -run '^$' -bench BrowserLoadProfile -benchtime 5x ./e2e
func BenchmarkBrowserLoadProfile(b *testing.B) {
	g := startGoServer(b, goServerOptions{})
	first := newTab(b, "profile-first") // the server compresses client.wasm once
	first.navigate(g.origin + "/testdata/measure.html")
	waitJS[bool](first, "window.__connectAt > 0", waitLong)
	first.close()
	names := wasmNames(b)
	for _, warm := range []bool{false, true} {
		b.Run(map[bool]string{false: "cold", true: "warm"}[warm], func(b *testing.B) {
			self := map[string]float64{}   // ms
			window := map[string]float64{} // ms, Go ready -> connect
			for range b.N {
				tb := newTab(b, "profile")
				if warm {
					tb.navigate(g.origin + "/testdata/measure.html")
					waitJS[bool](tb, "window.__connectAt > 0", waitLong)
					time.Sleep(3 * time.Second)
				}
				prof := profileLoad(b, tb, g.origin+"/testdata/measure-profile.html")
				tb.close()
				byID, parent := profileTree(prof)
				// marker returns the page's marker function on the stack of sample id, or "".
				marker := func(id int64) string {
					for ok := true; ok; id, ok = parent[id] {
						if f := byID[id].CallFrame.FunctionName; strings.HasPrefix(f, "duplex") && strings.HasSuffix(f, "Marker") {
							return f
						}
					}
					return ""
				}
				in := false
				for i, id := range prof.Samples {
					name := byID[id].CallFrame.FunctionName
					switch marker(id) {
					case "duplexGoReadyMarker":
						in = true
					case "duplexConnectMarker":
						in = false
					}
					if name == "" {
						name = "(anonymous " + byID[id].CallFrame.URL + ")"
					}
					var k int
					if _, err := fmt.Sscanf(name, "wasm-function[%d]", &k); err == nil {
						if n, ok := names(k); ok {
							name = "go " + n
						}
					}
					if i+1 < len(prof.TimeDeltas) {
						self[name] += float64(prof.TimeDeltas[i+1]) / 1000
						if in {
							window[name] += float64(prof.TimeDeltas[i+1]) / 1000
						}
					}
				}
			}
			n := float64(b.N)
			// (b.Log output of a benchmark is cut at 10 lines)
			fmt.Printf("%s, per load:\n%sGo ready -> connect (between the page's markers):\n%s", b.Name(), breakdown(self, n), breakdown(window, n))
			groups := map[string]float64{}
			for k, v := range self {
				switch {
				case strings.HasPrefix(k, "go "):
					groups["Go code"] += v
				case k == "(program)" || k == "(idle)" || k == "(garbage collector)":
					groups[k] += v
				default:
					groups["JavaScript"] += v
				}
			}
			for _, k := range []string{"Go code", "(program)", "JavaScript", "(garbage collector)", "(idle)"} {
				b.ReportMetric(groups[k]/n, "ms-"+strings.Trim(strings.ReplaceAll(k, " ", "-"), "()"))
			}
		})
	}
}

// breakdown formats self times (ms, summed over n loads) per load: by group
// (Go code, V8, JavaScript, idle), then the functions with the most.
func breakdown(self map[string]float64, n float64) string {
	groups := map[string]float64{}
	for k, v := range self {
		switch {
		case strings.HasPrefix(k, "go "):
			groups["Go code"] += v
		case k == "(program)" || k == "(idle)" || k == "(garbage collector)":
			groups[k] += v
		default:
			groups["JavaScript"] += v
		}
	}
	var out strings.Builder
	for _, k := range []string{"Go code", "(program)", "JavaScript", "(garbage collector)", "(idle)"} {
		fmt.Fprintf(&out, "%7.1f ms %s\n", groups[k]/n, k)
	}
	keys := make([]string, 0, len(self))
	for k := range self {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int { return int(1000 * (self[y] - self[x])) })
	out.WriteString("  top self time:\n")
	for _, k := range keys[:min(20, len(keys))] {
		fmt.Fprintf(&out, "  %7.1f ms %s\n", self[k]/n, k)
	}
	return out.String()
}

// profileLoad loads url in tb with the sampling profiler on, until connect.
func profileLoad(b *testing.B, tb *tab, url string) *profiler.Profile {
	run := func(f func(ctx context.Context, t *chromedp.Target) error) {
		if err := chromedp.Do(tb.ctx, chromedp.Func(f)); err != nil {
			b.Fatal(err)
		}
	}
	run(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 100}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return err
	})
	tb.navigate(url)
	waitJS[bool](tb, "window.__connectAt > 0", waitLong)
	var prof *profiler.Profile
	run(func(ctx context.Context, t *chromedp.Target) error {
		r, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		prof = r.Profile
		return err
	})
	return prof
}

// wasmNames returns the Go name of wasm-function[k], from a build of
// client.wasm that keeps its symbols (the page's is built with -s).
func wasmNames(b *testing.B) func(k int) (string, bool) { return wasmNamesOf(b, "./client/wasm") }

// wasmNamesOf is wasmNames for the wasm main package pkg.
func wasmNamesOf(b *testing.B, pkg string) func(k int) (string, bool) {
	sym := filepath.Join(b.TempDir(), "page.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-w", "-o", sym, pkg)
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building client.wasm with symbols: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(sym)
	if err != nil {
		b.Fatal(err)
	}
	mod, err := report.Parse(bin)
	if err != nil {
		b.Fatal(err)
	}
	return func(k int) (string, bool) {
		if k < mod.Imports || k-mod.Imports >= len(mod.Funcs) {
			return "", false
		}
		return mod.Funcs[k-mod.Imports].Name, true
	}
}
