//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/duplexio/duplex/client/dist"
	"github.com/duplexio/duplex/internal/leakcheck"
)

// chromiumPath is the browser the tests drive. It must exist: a missing
// browser fails the tests (run `make deps`), it never skips them.
const chromiumPath = "/usr/bin/chromium"

// hang guards: how long a test waits for something that should come at once.
const (
	waitShort = 15 * time.Second
	waitLong  = 45 * time.Second
)

// The browser and the wasm builds are shared by every test of the binary:
// TestMain owns them and ends them before the leak check.
var (
	browserCtx context.Context
	wasmOnce   sync.Once
	wasmDir    string
	wasmErr    error
	tmpRoot    string

	clientOnce    sync.Once
	clientHandler http.Handler
)

// clientFiles returns the dist handler over the wasm build, shared by every
// server of the test binary: it gzips client.wasm once (slow under -race).
func clientFiles(t testing.TB) http.Handler {
	t.Helper()
	dir := wasmBuild(t)
	clientOnce.Do(func() { clientHandler = dist.Handler(os.DirFS(dir), nil) })
	return clientHandler
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run runs the tests with the shared browser, closes the browser, and then
// checks that no goroutine outlived them (servers, clients, readers, and
// chromedp's own once the browser is closed).
func run(m *testing.M) int {
	var err error
	tmpRoot, err = os.MkdirTemp("", "duplex-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmpRoot)
	var cancel context.CancelFunc
	browserCtx, cancel, err = startBrowser(filepath.Join(tmpRoot, "profile"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	code := m.Run()
	_ = chromedp.Cancel(browserCtx)
	cancel()
	if code == 0 {
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
		if leaked := leakcheck.Wait(10 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "leakcheck: goroutines outlived the tests:\n%s\n", leaked)
			code = 1
		}
	}
	return code
}

// startBrowser starts headless chromium with a fresh profile directory.
func startBrowser(profile string) (context.Context, context.CancelFunc, error) {
	if _, err := os.Stat(chromiumPath); err != nil {
		return nil, nil, fmt.Errorf("chromium is missing (%w): run `make deps` (apt-get install -y chromium)", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Several tabs run at once: keep background tabs' timers at full speed.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(1000, 700),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx
		cancelCtx()
		cancelAlloc()
		return nil, nil, fmt.Errorf("starting %s: %w", chromiumPath, err)
	}
	return ctx, func() { cancelCtx(); cancelAlloc() }, nil
}

// wasmBuild builds the browser binaries once per test binary into a temp
// directory, as `make wasm` does: client.wasm (./client/wasm), chat.wasm
// (./www/chat), the tests' Go page gopage.wasm (./e2e/testdata/gopage), the
// benchmarks' Go page gomeasure.wasm (./e2e/testdata/gomeasure) and their
// floor gofloor.wasm (./e2e/testdata/gofloor), a
// copy of wasm_exec.js, their .gz variants and client.wasm's .br (gzip
// and brotli, which make deps installs). The first test that needs them pays
// for the build; a failed build fails every test that needs it.
func wasmBuild(t testing.TB) string {
	t.Helper()
	wasmOnce.Do(func() {
		dir := filepath.Join(tmpRoot, "wasm")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			wasmErr = err
			return
		}
		root := repoRoot()
		for _, b := range []struct{ out, pkg string }{
			{"client.wasm", "./client/wasm"},
			{"chat.wasm", "./www/chat"},
			{"gopage.wasm", "./e2e/testdata/gopage"},
			{"gomeasure.wasm", "./e2e/testdata/gomeasure"},
			{"gofloor.wasm", "./e2e/testdata/gofloor"},
		} {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, b.out), b.pkg)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
			if out, err := cmd.CombinedOutput(); err != nil {
				wasmErr = errors.Join(wasmErr, fmt.Errorf("GOOS=js GOARCH=wasm go build %s: %w\n%s", b.pkg, err, out))
			}
		}
		goroot, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			wasmErr = errors.Join(wasmErr, fmt.Errorf("go env GOROOT: %w", err))
			return
		}
		src := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")
		if err := copyFile(src, filepath.Join(dir, "wasm_exec.js")); err != nil {
			wasmErr = errors.Join(wasmErr, err)
		}
		// The precompressed variants `make wasm` makes, so that the pages
		// get client.wasm as in production (brotli) and no test pays for
		// compressing it on the fly: gzip -9 of the 3.8 MB in this -race
		// binary took 7 s on an idle machine and, under load, held the
		// first test's client.wasm for over a minute.
		// brotli -q 11 takes some 10 s a file: client.wasm only (the
		// others are served gzipped).
		for _, f := range []string{"client.wasm", "chat.wasm", "gopage.wasm", "gomeasure.wasm", "gofloor.wasm", "wasm_exec.js"} {
			variants := [][]string{{"gzip", "-9", "-k", "-f"}}
			if f == "client.wasm" {
				variants = append(variants, []string{"brotli", "-q", "11", "-k", "-f"})
			}
			for _, c := range variants {
				cmd := exec.Command(c[0], append(c[1:], filepath.Join(dir, f))...)
				if out, err := cmd.CombinedOutput(); err != nil {
					wasmErr = errors.Join(wasmErr, fmt.Errorf("%s %s (make deps installs it): %w\n%s", c[0], f, err, out))
				}
			}
			// brotli keeps the source's mtime cut to seconds; client/dist
			// ignores a variant older than its source.
			now := time.Now()
			for _, c := range variants {
				v := map[string]string{"gzip": ".gz", "brotli": ".br"}[c[0]]
				if err := os.Chtimes(filepath.Join(dir, f+v), now, now); err != nil {
					wasmErr = errors.Join(wasmErr, err)
				}
			}
		}
		wasmDir = dir
	})
	if wasmErr != nil {
		t.Fatalf("building the wasm binaries: %v", wasmErr)
	}
	return wasmDir
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// repoRoot is the module root (the parent of this directory).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// tab is one browser tab with its console and uncaught exceptions captured.
type tab struct {
	t     testing.TB
	name  string
	ctx   context.Context
	close context.CancelFunc // closes the tab

	out lines // console lines and exceptions
}

// newTab opens a tab in a fresh browser context (its own cache and cookies).
// Its console is printed when the test fails.
func newTab(t testing.TB, name string) *tab {
	t.Helper()
	tb := &tab{t: t, name: name}
	ctx, cancel := chromedp.NewContext(browserCtx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(tb.listen))
	tb.ctx, tb.close = ctx, cancel
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("opening tab %s: %v", name, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console of tab %s:\n%s", name, tb.console())
		}
		cancel()
	})
	return tb
}

// listen runs in chromedp's event loop of the tab: it must return fast.
func (tb *tab) listen(ev any) {
	var line string
	switch ev := ev.(type) {
	case *cdpruntime.EventConsoleAPICalled:
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			parts = append(parts, formatRemote(a))
		}
		line = string(ev.Type) + ": " + strings.Join(parts, " ")
	case *cdpruntime.EventExceptionThrown:
		d := ev.ExceptionDetails
		line = "exception: " + d.Text
		if d.Exception != nil {
			line += " " + d.Exception.Description
		}
		line += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	default:
		return
	}
	tb.out.add(line)
}

// formatRemote renders a console argument roughly as DevTools shows it.
func formatRemote(o *cdpruntime.RemoteObject) string {
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.UnserializableValue != "" {
		return string(o.UnserializableValue)
	}
	if o.Preview != nil && o.Type == cdpruntime.RemoteObjectTypeObject {
		var b strings.Builder
		b.WriteString("{")
		for i, p := range o.Preview.Properties {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %s", p.Name, p.Value)
		}
		b.WriteString("}")
		return b.String()
	}
	return o.Description
}

// console returns what the tab wrote so far, one line per call.
func (tb *tab) console() string { return tb.out.String() }

// exceptions returns the uncaught exceptions seen so far.
func (tb *tab) exceptions() []string {
	var out []string
	for _, l := range tb.out.snapshot() {
		if strings.HasPrefix(l, "exception: ") {
			out = append(out, l)
		}
	}
	return out
}

// navigate loads url in the tab.
func (tb *tab) navigate(url string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitLong)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tb.t.Fatalf("tab %s: navigate %s: %v", tb.name, url, err)
	}
}

// waitConsole waits for a console line containing substr (counting from the
// first line) and returns it. The timeout only guards against hangs.
func (tb *tab) waitConsole(substr string, timeout time.Duration) string {
	tb.t.Helper()
	return tb.waitConsoleN(substr, 1, timeout)
}

// waitConsoleN waits until n console lines contain substr, and returns the nth.
func (tb *tab) waitConsoleN(substr string, n int, timeout time.Duration) string {
	tb.t.Helper()
	l, err := tb.out.wait(containing(substr), n, timeout, nil)
	if err != nil {
		tb.t.Fatalf("tab %s: no console line containing %q (x%d): %v", tb.name, substr, n, err)
	}
	return l
}

// countConsole counts the console lines containing substr.
func (tb *tab) countConsole(substr string) int { return tb.out.count(containing(substr)) }

// eval evaluates a JS expression (promises are awaited) and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitLong)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("tab %s: evaluating %s: %v", tb.name, expr, err)
	}
	return v
}

// waitJS polls a JS expression until it is truthy and returns its value.
func waitJS[T any](tb *tab, expr string, timeout time.Duration) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout+5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr,
		chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		tb.t.Fatalf("tab %s: waiting for %s: %v", tb.name, expr, err)
	}
	return v
}

// do runs chromedp actions in the tab.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitLong)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("tab %s: %v", tb.name, err)
	}
}
