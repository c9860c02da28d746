//go:build !js

package e2e

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// loads is how many page loads TestMeasureLoad makes per case. The default
// keeps `go test ./...` short; the budget is measured with
//
//	go test ./e2e -run TestMeasureLoad -v -loads 20 -brotli
var (
	loads      = flag.Int("loads", 3, "page loads per case in TestMeasureLoad")
	withBrotli = flag.Bool("brotli", false, "TestMeasureLoad: measure brotli -q 11 sizes too (slow; needs the brotli command)")
)

// loadTiming is one page load, in milliseconds from the navigation start.
type loadTiming struct {
	Fetched      float64 `json:"fetched"`      // client.wasm fully received
	Compiled     float64 `json:"compiled"`     // WebAssembly.compileStreaming done
	Runtime      float64 `json:"runtime"`      // wasm_exec.js loaded
	Instantiated float64 `json:"instantiated"` // WebAssembly.instantiate done
	GoStarted    float64 `json:"goStarted"`    // the Go client called io.duplex.ready
	Handshake    float64 `json:"handshake"`    // the loader's handshake returned
	Polled       float64 `json:"polled"`       // the loader's first poll returned (with the CONNECT's reply)
	Connected    float64 `json:"connected"`    // the socket's connect event
	Acked        float64 `json:"acked"`        // the ack of the emit made in the connect handler
}

const timingJS = `(() => {
	const d = io.duplex ? io.duplex.timings : {};
	const wasm = performance.getEntriesByType("resource").find((e) => e.name.includes("client.wasm"));
	return {
		fetched: wasm ? wasm.responseEnd : 0,
		compiled: d.compiled || 0,
		runtime: d.runtimeLoaded || 0,
		instantiated: d.instantiated || 0,
		goStarted: d.goStarted || 0,
		handshake: d.handshake || 0,
		polled: d.polled || 0,
		connected: window.__connectAt,
		acked: window.__ackAt,
	};
})()`

// TestMeasureLoad reports (it asserts nothing about time) the sizes of the
// wasm binaries and page load -> connect event and -> the ack of the first
// emit (made in the connect handler) in headless Chromium, split into fetch,
// compile, instantiate, Go start and the Go client's takeover, for a cold
// cache (a fresh browser context per load) and a warm one (reloads in one
// tab), with the official JS bundle as a reference.
func TestMeasureLoad(t *testing.T) {
	dir := wasmBuild(t)
	var report strings.Builder
	fmt.Fprintf(&report, "sizes (bytes: raw / gzip -9 / brotli -q 11):\n")
	for _, name := range []string{"client.wasm", "chat.wasm", "wasm_exec.js"} {
		fmt.Fprintf(&report, "  %-13s %s\n", name, sizes(t, filepath.Join(dir, name)))
	}

	g := startGoServer(t, goServerOptions{})
	fmt.Fprintf(&report, "page load -> connect event, %d loads each (ms; median [min-max]):\n", *loads)
	for _, c := range []struct {
		name, page string
		warm       bool
	}{
		{"wasm io, cold cache", "measure.html", false},
		{"wasm io, warm cache", "measure.html", true},
		{"official bundle, cold cache", "measure-official.html", false},
		{"official bundle, warm cache", "measure-official.html", true},
	} {
		var runs []loadTiming
		var tb *tab
		start := time.Now()
		for i := range *loads {
			if tb == nil || !c.warm {
				if tb != nil {
					tb.close()
				}
				tb = newTab(t, fmt.Sprintf("measure-%d", i))
				if c.warm { // prime the cache
					tb.navigate(g.origin + "/testdata/" + c.page)
					waitJS[bool](tb, "window.__ackAt > 0", waitLong)
				}
			}
			tb.navigate(g.origin + "/testdata/" + c.page)
			waitJS[bool](tb, "window.__ackAt > 0", waitLong)
			runs = append(runs, eval[loadTiming](tb, timingJS))
		}
		tb.close()
		t.Logf("%s: %d loads in %v", c.name, len(runs), time.Since(start).Round(time.Millisecond))
		col := func(f func(l loadTiming) float64) string {
			v := make([]float64, len(runs))
			for i, r := range runs {
				v[i] = f(r)
			}
			slices.Sort(v)
			return fmt.Sprintf("%6.1f [%5.1f-%6.1f]", v[len(v)/2], v[0], v[len(v)-1])
		}
		fmt.Fprintf(&report, "  %s:\n    connect      %s\n", c.name, col(func(l loadTiming) float64 { return l.Connected }))
		fmt.Fprintf(&report, "    first ack    %s   (navigation start -> the ack of an emit made in the connect handler)\n", col(func(l loadTiming) float64 { return l.Acked }))
		if c.page == "measure.html" {
			fmt.Fprintf(&report, "    fetch        %s   (navigation start -> client.wasm received)\n", col(func(l loadTiming) float64 { return l.Fetched }))
			fmt.Fprintf(&report, "    compile      %s   (compiled while streaming: received -> compiled)\n", col(func(l loadTiming) float64 { return l.Compiled - l.Fetched }))
			fmt.Fprintf(&report, "    instantiate  %s   (compiled and wasm_exec.js loaded -> instantiated)\n", col(func(l loadTiming) float64 { return l.Instantiated - max(l.Compiled, l.Runtime) }))
			fmt.Fprintf(&report, "    go start     %s   (instantiated -> Go main ready)\n", col(func(l loadTiming) float64 { return l.GoStarted - l.Instantiated }))
			fmt.Fprintf(&report, "    go -> ack    %s   (Go ready -> first ack: the Go client takes the session over and sends the emit)\n", col(func(l loadTiming) float64 { return l.Acked - l.GoStarted }))
			fmt.Fprintf(&report, "    network:\n")
			fmt.Fprintf(&report, "    handshake in %s   (navigation start -> the loader's handshake returned)\n", col(func(l loadTiming) float64 { return l.Handshake }))
			fmt.Fprintf(&report, "    reply in     %s   (navigation start -> the loader's first poll returned: the CONNECT's reply; 0: the Go client polled first)\n", col(func(l loadTiming) float64 { return l.Polled }))
		}
	}
	t.Log("\n" + report.String())
	if out := os.Getenv("DUPLEX_MEASURE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sizes returns "raw / gzip / brotli" for a file (brotli "n/a" without the
// brotli command).
func sizes(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	br := "n/a (run with -brotli)"
	if _, err := exec.LookPath("brotli"); err != nil && *withBrotli {
		t.Fatalf("-brotli: %v (apt-get install -y brotli)", err)
	}
	if *withBrotli {
		out, err := exec.Command("brotli", "-q", "11", "-c", path).Output()
		if err != nil {
			t.Fatalf("brotli: %v", err)
		}
		br = fmt.Sprintf("%d (%.2f MB)", len(out), float64(len(out))/1e6)
	}
	return fmt.Sprintf("%d (%.2f MB) / %d (%.2f MB) / %s", len(b), float64(len(b))/1e6, gz.Len(), float64(gz.Len())/1e6, br)
}
