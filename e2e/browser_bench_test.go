//go:build !js

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/performance"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/duplexio/duplex/server"
)

// The browser benchmarks measure the wasm io (measure.html) and the official
// socket.io-client bundle (measure-official.html) side by side, alternating
// them within one run so that both see the same machine load. They report
// medians as custom metrics; run them with
//
//	go test ./e2e -run '^$' -bench BenchmarkBrowser -benchtime 10x
//
// (b.N is the number of loads, or of rounds, per client).

// browserClients are the two pages, wasm first.
var browserClients = []struct{ name, page string }{
	{"wasm", "measure.html"},
	{"official", "measure-official.html"},
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadConnect navigates tb to page and returns navigation start -> the
// page's connect event, in ms.
func loadConnect(tb *tab, url string) float64 {
	tb.navigate(url)
	return waitJS[float64](tb, "window.__connectAt || 0", waitLong)
}

// BenchmarkBrowserConnect: navigation start -> connect, cold (a fresh
// browser context, empty cache) and warm (a reload in the same tab, HTTP
// cache and the compiled wasm in Chromium's code cache), both clients.
func BenchmarkBrowserConnect(b *testing.B) {
	g := startGoServer(b, goServerOptions{})
	times := map[string][]float64{}
	warm := map[string]*tab{}
	for _, c := range browserClients {
		warm[c.name] = newTab(b, "warm-"+c.name)
		loadConnect(warm[c.name], g.origin+"/testdata/"+c.page) // fills the cache
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range browserClients {
			tb := newTab(b, fmt.Sprintf("cold-%s-%d", c.name, i))
			times[c.name+" cold"] = append(times[c.name+" cold"], loadConnect(tb, g.origin+"/testdata/"+c.page))
			tb.close()
			times[c.name+" warm"] = append(times[c.name+" warm"], loadConnect(warm[c.name], g.origin+"/testdata/"+c.page))
		}
	}
	b.StopTimer()
	for _, k := range []string{"wasm cold", "official cold", "wasm warm", "official warm"} {
		b.ReportMetric(median(times[k]), "ms-"+strings.ReplaceAll(k, " ", "-"))
	}
	b.ReportMetric(median(times["wasm cold"])/median(times["official cold"]), "x-cold")
	b.ReportMetric(median(times["wasm warm"])/median(times["official warm"]), "x-warm")
	b.Logf("loads per case: %d; all (ms): %v", b.N, times)
}

// floodServer is the Go server with a "flood" event: flood(n, size) emits
// n events "m" (i, a string of size bytes) to the socket. The page asks for
// the next batch when it has received one: the server's send queue is
// bounded, and a page that cannot keep up would be disconnected.
func floodServer(b testing.TB) *goServer {
	return startGoServer(b, goServerOptions{onConnect: func(s *server.Socket) {
		s.On("flood", func(e *server.Event) {
			var n, size int
			if err := e.Decode(&n, &size); err != nil {
				b.Errorf("flood args: %v", err)
				return
			}
			payload := strings.Repeat("x", size)
			for i := range n {
				if err := s.Emit("m", i, payload); err != nil {
					b.Errorf("flood emit %d: %v", i, err)
					return
				}
			}
		})
	}})
}

// floodJS asks for n events of size bytes, in batches, and resolves, once
// the JS handler has seen the last one, with the ms from the first request.
const floodJS = `((n, size) => new Promise((resolve) => {
	const batch = Math.max(1, Math.min(n, Math.floor((512 << 10) / (size + 32)), 500));
	let seen = 0, sum = 0;
	const t0 = performance.now();
	const h = (i, p) => {
		seen++;
		sum += p.length;
		if (seen === n) {
			socket.off("m", h);
			resolve(performance.now() - t0);
		} else if (seen % batch === 0) socket.emit("flood", Math.min(batch, n - seen), size);
	};
	socket.on("m", h);
	socket.emit("flood", batch, size);
}))`

// mainThread returns the renderer main thread's busy time so far (the
// Performance domain's TaskDuration), in ms.
func mainThread(tb *tab) float64 {
	m, err := chromedp.Run(tb.ctx, func(ctx context.Context, t *chromedp.Target) (performance.GetMetricsResult, error) {
		return cdp.Call(ctx, t, performance.GetMetrics, cdp.Empty{})
	})
	if err != nil {
		tb.t.Fatalf("Performance.getMetrics: %v", err)
	}
	for _, x := range m.Metrics {
		if x.Name == "TaskDuration" {
			return x.Value * 1000
		}
	}
	tb.t.Fatal("Performance.getMetrics: no TaskDuration")
	return 0
}

// heapUsed collects garbage and returns the JS heap in use (bytes) and,
// for the wasm page, the size of the wasm linear memory (the Go heap lives
// there; it only grows).
func heapUsed(tb *tab) (js, wasm float64) {
	u, err := chromedp.Run(tb.ctx, func(ctx context.Context, t *chromedp.Target) (cdpruntime.GetHeapUsageResult, error) {
		if _, err := cdp.Call(ctx, t, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return cdpruntime.GetHeapUsageResult{}, err
		}
		return cdp.Call(ctx, t, cdpruntime.GetHeapUsage, cdp.Empty{})
	})
	if err != nil {
		tb.t.Fatalf("heap usage: %v", err)
	}
	return u.UsedSize, eval[float64](tb, "io.duplex && io.duplex.memory ? io.duplex.memory() : 0")
}

func enableMetrics(tb *tab) {
	_, err := chromedp.Run(tb.ctx, func(ctx context.Context, t *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, t, performance.Enable, performance.EnableParams{})
	})
	if err != nil {
		tb.t.Fatalf("Performance.enable: %v", err)
	}
}

// receiveClients are the pages of BenchmarkBrowserReceive and the
// expression that floods each: browserClients with a JavaScript handler,
// and a page written in Go (testdata/gomeasure) whose handler is Go, run by
// the Manager's goroutine ("go") or, with NonBlockingHandlers, on the
// receiving one ("go-inline"); and the floor of a page written in Go
// (testdata/gofloor: Go gets each event's bytes and does nothing else),
// with each frame copied to a slice of its own as the client does
// ("go-floor") and without ("go-floor-bare").
var receiveClients = []struct{ name, page, flood string }{
	{"wasm", "measure.html", floodJS},
	{"official", "measure-official.html", floodJS},
	{"go", "gomeasure.html", "__flood"},
	{"go-inline", "gomeasure.html?inline=1", "__flood"},
	{"go-floor", "gofloor.html?copy=1", "__flood"},
	{"go-floor-bare", "gofloor.html", "__flood"},
}

// BenchmarkBrowserReceive: events per second that the page receives and
// hands to a handler, and main-thread µs per event, for 10k small (16
// bytes) and 1k large (16 KB) events, every page of receiveClients, b.N
// rounds each, alternating. x-rate is wasm / official, x-rate-go,
// x-rate-go-inline, x-rate-go-floor and x-rate-go-floor-bare the Go pages /
// official; frames/call-wasm the WebSocket
// frames per call into Go on the wasm io's page (io.duplex.stats).
func BenchmarkBrowserReceive(b *testing.B) {
	for _, c := range []struct {
		name    string
		n, size int
	}{{"small", 10000, 16}, {"large", 1000, 16 << 10}} {
		b.Run(c.name, func(b *testing.B) {
			g := floodServer(b)
			tabs := map[string]*tab{}
			for _, cl := range receiveClients {
				tb := newTab(b, "recv-"+cl.name)
				loadConnect(tb, g.origin+"/testdata/"+cl.page)
				enableMetrics(tb)
				eval[float64](tb, fmt.Sprintf("%s(%d, %d)", cl.flood, 100, c.size)) // warm up
				tabs[cl.name] = tb
			}
			rate := map[string][]float64{}
			cpu := map[string][]float64{}
			const calls = "io.duplex.stats ? io.duplex.stats.frames / Math.max(1, io.duplex.stats.calls) : 1"
			eval[any](tabs["wasm"], "io.duplex.stats && (io.duplex.stats.frames = io.duplex.stats.calls = io.duplex.stats.batches = 0)")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, cl := range receiveClients {
					tb := tabs[cl.name]
					before := mainThread(tb)
					ms := eval[float64](tb, fmt.Sprintf("%s(%d, %d)", cl.flood, c.n, c.size))
					busy := mainThread(tb) - before
					rate[cl.name] = append(rate[cl.name], float64(c.n)/(ms/1000))
					cpu[cl.name] = append(cpu[cl.name], busy*1000/float64(c.n)) // µs per event
				}
			}
			b.StopTimer()
			for _, cl := range receiveClients {
				b.ReportMetric(median(rate[cl.name]), "ev/s-"+cl.name)
				b.ReportMetric(median(cpu[cl.name]), "µs-cpu/ev-"+cl.name)
			}
			b.ReportMetric(eval[float64](tabs["wasm"], calls), "frames/call-wasm")
			b.ReportMetric(median(rate["wasm"])/median(rate["official"]), "x-rate")
			b.ReportMetric(median(rate["go"])/median(rate["official"]), "x-rate-go")
			b.ReportMetric(median(rate["go-inline"])/median(rate["official"]), "x-rate-go-inline")
			b.ReportMetric(median(rate["go-floor"])/median(rate["official"]), "x-rate-go-floor")
			b.ReportMetric(median(rate["go-floor-bare"])/median(rate["official"]), "x-rate-go-floor-bare")
			b.Logf("rounds: ev/s %v; µs/ev %v", rate, cpu)
		})
	}
}

// BenchmarkBrowserMemory: the page's heap after 10k and after 100k small
// events (garbage collected first), both clients: no growth means the
// second is not above the first.
func BenchmarkBrowserMemory(b *testing.B) {
	g := floodServer(b)
	for i := 0; i < b.N; i++ {
		for _, cl := range browserClients {
			tb := newTab(b, "mem-"+cl.name)
			loadConnect(tb, g.origin+"/testdata/"+cl.page)
			eval[float64](tb, floodJS+"(10000, 16)")
			js1, w1 := heapUsed(tb)
			for range 9 {
				eval[float64](tb, floodJS+"(10000, 16)")
			}
			js2, w2 := heapUsed(tb)
			tb.close()
			b.ReportMetric(js1/1e6, "MB-js-10k-"+cl.name)
			b.ReportMetric(js2/1e6, "MB-js-100k-"+cl.name)
			if cl.name == "wasm" {
				b.ReportMetric(w1/1e6, "MB-wasm-10k-"+cl.name)
				b.ReportMetric(w2/1e6, "MB-wasm-100k-"+cl.name)
			}
		}
	}
}
