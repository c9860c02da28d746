//go:build !js

package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

var (
	browserTracePage       = flag.String("browser.trace.page", "gomeasure.html", "BenchmarkBrowserTrace: the page to trace (measure.html: the wasm io; measure-official.html: the official client)")
	browserTraceSize       = flag.Int("browser.trace.size", 16<<10, "BenchmarkBrowserTrace: bytes per event (1k events per round; 10k under 1 KB)")
	browserTraceCategories = flag.String("browser.trace.categories", "toplevel,devtools.timeline,v8,v8.execute,disabled-by-default-v8.gc,blink", "BenchmarkBrowserTrace: the trace categories, comma-separated")
	browserTrace           = flag.String("browser.trace", "", "BenchmarkBrowserTrace: also write the trace (Chromium's JSON trace format) to this file, and the table to this file.txt")
)

// traceEvent is one event of Chromium's JSON trace format.
type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"`  // µs
	Dur  float64         `json:"dur"` // µs, for ph "X"
	Pid  int64           `json:"pid"`
	Tid  int64           `json:"tid"`
	Args json.RawMessage `json:"args"`
}

// BenchmarkBrowserTrace records a trace of the page (the DevTools Tracing
// domain: Chromium's own instrumentation, not sampling) while it receives
// events, and logs, for the renderer's main thread, each trace event name's
// self time (its duration less that of the events nested in it) and total,
// in µs per event received: where the main thread goes, the browser's
// native work (the WebSocket, tasks, V8's garbage collector) included,
// which a sampling profile leaves as "(program)".
func BenchmarkBrowserTrace(b *testing.B) {
	g := floodServer(b)
	tb := newTab(b, "trace")
	loadConnect(tb, g.origin+"/testdata/"+*browserTracePage)
	flood := floodJS
	if strings.HasPrefix(*browserTracePage, "gomeasure.html") || strings.HasPrefix(*browserTracePage, "gofloor.html") {
		flood = "__flood"
	}
	events := 10000
	if *browserTraceSize >= 1<<10 {
		events = 1000
	}
	eval[float64](tb, fmt.Sprintf("%s(100, %d)", flood, *browserTraceSize))

	var (
		mu   sync.Mutex
		raw  [][]byte
		done = make(chan struct{})
	)
	err := chromedp.Listen(tb.ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			for _, v := range ev.Value {
				raw = append(raw, []byte(v))
			}
			mu.Unlock()
		case *tracing.EventTracingComplete:
			close(done)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	run := func(f func(ctx context.Context, t *chromedp.Target) error) {
		if err := chromedp.Do(tb.ctx, chromedp.Func(f)); err != nil {
			b.Fatal(err)
		}
	}
	run(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, tracing.Start, tracing.StartParams{
			TransferMode: tracing.StartTransferModeReportEvents,
			TraceConfig: &tracing.TraceConfig{
				RecordMode:         tracing.TraceConfigRecordModeRecordAsMuchAsPossible,
				IncludedCategories: strings.Split(*browserTraceCategories, ","),
				ExcludedCategories: []string{"*"},
			},
		})
		return err
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		eval[float64](tb, fmt.Sprintf("%s(%d, %d)", flood, events, *browserTraceSize))
	}
	b.StopTimer()
	run(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, tracing.End, cdp.Empty{})
		return err
	})
	<-done
	mu.Lock()
	evs := make([]traceEvent, 0, len(raw))
	for _, r := range raw {
		var e traceEvent
		if json.Unmarshal(r, &e) == nil {
			evs = append(evs, e)
		}
	}
	if *browserTrace != "" {
		out := "[" + string(joinRaw(raw)) + "]"
		if err := os.WriteFile(*browserTrace, []byte(out), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	mu.Unlock()
	table := traceTable(evs, b.N*events)
	b.Log("\n" + table)
	if *browserTrace != "" {
		if err := os.WriteFile(*browserTrace+".txt", []byte(table), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

func joinRaw(raw [][]byte) []byte {
	var out []byte
	for i, r := range raw {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, r...)
	}
	return out
}

// traceTable gives the self and total time of each event name on the busiest
// renderer main thread, in µs per received event.
func traceTable(evs []traceEvent, n int) string {
	// The renderer main threads, by their metadata.
	main := map[[2]int64]bool{}
	for _, e := range evs {
		if e.Ph == "M" && e.Name == "thread_name" && strings.Contains(string(e.Args), "CrRendererMain") {
			main[[2]int64{e.Pid, e.Tid}] = true
		}
	}
	// Complete spans per thread: X events, and B/E pairs.
	type span struct {
		name       string
		start, end float64
	}
	spans := map[[2]int64][]span{}
	open := map[[2]int64][]traceEvent{}
	for _, e := range evs {
		k := [2]int64{e.Pid, e.Tid}
		if !main[k] {
			continue
		}
		switch e.Ph {
		case "X":
			spans[k] = append(spans[k], span{e.Cat + " " + e.Name, e.Ts, e.Ts + e.Dur})
		case "B":
			open[k] = append(open[k], e)
		case "E":
			if s := open[k]; len(s) > 0 {
				bgn := s[len(s)-1]
				open[k] = s[:len(s)-1]
				spans[k] = append(spans[k], span{bgn.Cat + " " + bgn.Name, bgn.Ts, e.Ts})
			}
		}
	}
	var busiest [2]int64
	for k, s := range spans {
		if len(s) > len(spans[busiest]) {
			busiest = k
		}
	}
	s := spans[busiest]
	// Outer spans first: by start, then the longer first.
	slices.SortFunc(s, func(a, c span) int {
		if a.start != c.start {
			return cmp.Compare(a.start, c.start)
		}
		return cmp.Compare(c.end, a.end)
	})
	self, total, count := map[string]float64{}, map[string]float64{}, map[string]int{}
	var top float64 // the time covered by outermost spans: the thread's busy time
	var stack []int
	for i, sp := range s {
		for len(stack) > 0 && s[stack[len(stack)-1]].end <= sp.start {
			stack = stack[:len(stack)-1]
		}
		d := sp.end - sp.start
		if len(stack) > 0 {
			p := s[stack[len(stack)-1]]
			d = min(d, p.end-sp.start) // clipped to its parent
			self[p.name] -= d
		} else {
			top += d
		}
		self[sp.name] += d
		total[sp.name] += d
		count[sp.name]++
		stack = append(stack, i)
	}
	names := make([]string, 0, len(self))
	for k := range self {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, c string) int { return cmp.Compare(self[c], self[a]) })
	var out strings.Builder
	fmt.Fprintf(&out, "# main thread busy %.1f µs per event (%d events); self µs/ev, total µs/ev, count/ev, category name\n", top/float64(n), n)
	for _, k := range names {
		if self[k]/float64(n) < 0.05 && total[k]/float64(n) < 0.5 {
			continue
		}
		fmt.Fprintf(&out, "%8.2f %8.2f %8.3f %s\n", self[k]/float64(n), total[k]/float64(n), float64(count[k])/float64(n), k)
	}
	return out.String()
}
