//go:build !js

// Command browser is the browser part of `make bench`: the wasm io
// (client.wasm behind /socket.io/socket.io.js) and the official
// socket.io-client bundle side by side in headless Chromium. It prints
// markdown tables of
//
//   - client.wasm's size, raw / gzip -9 / brotli -q 11;
//   - navigation start -> connect, medians of cold and warm loads, both clients
//     (e2e.BenchmarkBrowserConnect);
//   - events per second received and handed to a JavaScript handler, and
//     main-thread µs per event, 10k small and 1k large events, both clients,
//     the same for a page written in Go whose handler is Go, and for the floor
//     of such a page, which only gets each event's bytes into Go
//     (e2e.BenchmarkBrowserReceive);
//   - the page's memory after 10k and after 100k events (e2e.BenchmarkBrowserMemory).
//
// The two clients are alternated within each benchmark, so that both see the
// same machine load; compare the ratios more than the absolute numbers.
//
// Usage (from the module root):
//
//	go run ./bench/browser                 # 10 loads, 3 receive rounds
//	go run ./bench/browser -loads 20 -rounds 5
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	loads := flag.Int("loads", 10, "page loads per client and cache state")
	rounds := flag.Int("rounds", 3, "receive rounds per client and message size")
	memory := flag.Bool("memory", true, "run the 100k-event memory benchmark")
	flag.Parse()
	if err := run(os.Stdout, *loads, *rounds, *memory); err != nil {
		fmt.Fprintln(os.Stderr, "bench/browser:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, loads, rounds int, memory bool) error {
	dir, err := os.MkdirTemp("", "duplex-bench-browser-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(w, "## Browser: the wasm io and the official socket.io-client bundle (headless Chromium)\n\n")
	if err := sizes(w, dir); err != nil {
		return err
	}
	res, err := bench(fmt.Sprintf("%dx", loads), "BenchmarkBrowserConnect$")
	if err != nil {
		return err
	}
	c := res["BenchmarkBrowserConnect"]
	fmt.Fprintf(w, "navigation start -> `connect`, median of %d loads per cell (ms):\n\n", loads)
	fmt.Fprintf(w, "| cache | duplex wasm | official | wasm / official |\n|---|---|---|---|\n")
	fmt.Fprintf(w, "| cold | %.0f | %.0f | %.2fx |\n", c["ms-wasm-cold"], c["ms-official-cold"], c["x-cold"])
	fmt.Fprintf(w, "| warm | %.0f | %.0f | %.2fx |\n\n", c["ms-wasm-warm"], c["ms-official-warm"], c["x-warm"])

	res, err = bench(fmt.Sprintf("%dx", rounds), "BenchmarkBrowserReceive")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "events received and handed to a JavaScript handler, median of %d rounds:\n\n", rounds)
	fmt.Fprintf(w, "| events | duplex wasm ev/s | official ev/s | wasm / official | wasm main-thread µs/ev | official µs/ev |\n|---|---|---|---|---|---|\n")
	kinds := []struct{ name, label string }{{"small", "10k × 16 B"}, {"large", "1k × 16 KB"}}
	for _, sz := range kinds {
		r := res["BenchmarkBrowserReceive/"+sz.name]
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.2fx | %.0f | %.0f |\n", sz.label, r["ev/s-wasm"], r["ev/s-official"], r["x-rate"], r["µs-cpu/ev-wasm"], r["µs-cpu/ev-official"])
	}
	fmt.Fprintf(w, "\nthe same events handed to a Go handler (a page written in Go with package client, which decodes (int, string)), same runs; "+
		"\"inline\": the socket has NonBlockingHandlers (the handler runs in the WebSocket's callback):\n\n")
	fmt.Fprintf(w, "| events | Go handler ev/s | / official | µs/ev | Go handler inline ev/s | / official | µs/ev |\n|---|---|---|---|---|---|---|\n")
	for _, sz := range kinds {
		r := res["BenchmarkBrowserReceive/"+sz.name]
		fmt.Fprintf(w, "| %s | %.0f | %.2fx | %.0f | %.0f | %.2fx | %.0f |\n", sz.label, r["ev/s-go"], r["x-rate-go"], r["µs-cpu/ev-go"], r["ev/s-go-inline"], r["x-rate-go-inline"], r["µs-cpu/ev-go-inline"])
	}
	fmt.Fprintf(w, "\nthe floor of a page written in Go, same runs (e2e/testdata/gofloor: the client's batching of frames into Go, then nothing "+
		"but counting the events; \"copied\": each frame copied to a slice of its own, as the client does; \"bare\": not):\n\n")
	fmt.Fprintf(w, "| events | floor copied ev/s | / official | µs/ev | floor bare ev/s | / official | µs/ev |\n|---|---|---|---|---|---|---|\n")
	for _, sz := range kinds {
		r := res["BenchmarkBrowserReceive/"+sz.name]
		fmt.Fprintf(w, "| %s | %.0f | %.2fx | %.0f | %.0f | %.2fx | %.0f |\n", sz.label, r["ev/s-go-floor"], r["x-rate-go-floor"], r["µs-cpu/ev-go-floor"], r["ev/s-go-floor-bare"], r["x-rate-go-floor-bare"], r["µs-cpu/ev-go-floor-bare"])
	}
	fmt.Fprintln(w)
	if memory {
		res, err = bench("1x", "BenchmarkBrowserMemory")
		if err != nil {
			return err
		}
		m := res["BenchmarkBrowserMemory"]
		fmt.Fprintf(w, "page memory after garbage collection (MB):\n\n")
		fmt.Fprintf(w, "| | after 10k events | after 100k events |\n|---|---|---|\n")
		fmt.Fprintf(w, "| duplex wasm: JS heap | %.2f | %.2f |\n", m["MB-js-10k-wasm"], m["MB-js-100k-wasm"])
		fmt.Fprintf(w, "| duplex wasm: wasm memory (Go heap; never shrinks) | %.1f | %.1f |\n", m["MB-wasm-10k-wasm"], m["MB-wasm-100k-wasm"])
		fmt.Fprintf(w, "| official: JS heap | %.2f | %.2f |\n\n", m["MB-js-10k-official"], m["MB-js-100k-official"])
	}
	return nil
}

// sizes builds client.wasm as `make wasm` does and prints its sizes.
func sizes(w io.Writer, dir string) error {
	out := filepath.Join(dir, "client.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./client/wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building client.wasm: %w\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	br, err := exec.Command("brotli", "-q", "11", "-c", out).Output()
	if err != nil {
		return fmt.Errorf("brotli (make deps installs it): %w", err)
	}
	fmt.Fprintf(w, "| client.wasm | raw | gzip -9 | brotli -q 11 |\n|---|---|---|---|\n")
	fmt.Fprintf(w, "| bytes | %d | %d | %d |\n\n", len(raw), gz.Len(), len(br))
	return nil
}

// bench runs e2e benchmarks matching re and returns their metrics by
// benchmark name (without the -GOMAXPROCS suffix) and unit.
func bench(benchtime, re string) (map[string]map[string]float64, error) {
	cmd := exec.Command("go", "test", "-count=1", "-run", "^$", "-bench", re, "-benchtime", benchtime, "-timeout", "30m", "./e2e")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s: %w\n%s%s", re, err, out, stderr.Bytes())
	}
	res, err := parseBench(out)
	if err == nil && len(res) == 0 {
		err = errors.New("no benchmark results")
	}
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s: %w\n%s", re, err, out)
	}
	return res, nil
}

// parseBench reads the result lines of `go test -bench` output:
// "BenchmarkX/sub-2  10  123 ns/op  4.5 unit ...".
func parseBench(out []byte) (map[string]map[string]float64, error) {
	res := map[string]map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad value %q in %q", f[i], sc.Text())
			}
			m[f[i+1]] = v
		}
		res[name] = m
	}
	return res, sc.Err()
}
