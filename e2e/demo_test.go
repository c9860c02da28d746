//go:build !js

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	demoOnce sync.Once
	demoBin  string
	demoErr  error
)

// demoBinary builds cmd/duplex-demo once per test binary.
func demoBinary(t testing.TB) string {
	t.Helper()
	demoOnce.Do(func() {
		demoBin = filepath.Join(tmpRoot, "duplex-demo")
		cmd := exec.Command("go", "build", "-o", demoBin, "./cmd/duplex-demo")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			demoErr = fmt.Errorf("go build ./cmd/duplex-demo: %w\n%s", err, out)
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoBin
}

// demo is a running duplex-demo process (the server of `make run`).
type demo struct {
	t      testing.TB
	cmd    *exec.Cmd
	origin string // http://127.0.0.1:port

	stdout lines
	stderr lines
	done   chan struct{}
}

// startDemo runs duplex-demo on addr (host:port, port 0 for any) with www
// as its page directory, and waits until it listens. It is stopped with
// SIGTERM when the test ends; its output is printed if the test failed.
func startDemo(t testing.TB, addr, www string) *demo {
	t.Helper()
	d := &demo{t: t, done: make(chan struct{})}
	d.cmd = exec.Command(demoBinary(t), "-addr", addr, "-www", www, "-wasm", wasmBuild(t))
	outPipe, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting duplex-demo: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.read(outPipe, &d.stdout) }()
	go func() { defer wg.Done(); d.read(errPipe, &d.stderr) }()
	go func() {
		wg.Wait()
		_ = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("duplex-demo stdout:\n%s\nduplex-demo stderr:\n%s", &d.stdout, &d.stderr)
		}
	})
	line := d.waitLine(&d.stderr, "listening on http://", waitShort)
	hostPort := strings.TrimSuffix(strings.Fields(line[strings.Index(line, "http://")+len("http://"):])[0], "/")
	_, port, _ := net.SplitHostPort(hostPort)
	d.origin = "http://127.0.0.1:" + port
	return d
}

func (d *demo) read(r io.Reader, dst *lines) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		dst.add(sc.Text())
	}
}

// waitLine waits for a line of stdout or stderr containing substr.
func (d *demo) waitLine(out *lines, substr string, timeout time.Duration) string {
	d.t.Helper()
	l, err := out.wait(containing(substr), 1, timeout, d.done)
	if errors.Is(err, errStopped) {
		d.t.Fatalf("duplex-demo exited before printing %q", substr)
	} else if err != nil {
		d.t.Fatalf("duplex-demo printed no line containing %q: %v", substr, err)
	}
	return l
}

// waitStdout waits for a stdout line containing substr.
func (d *demo) waitStdout(substr string, timeout time.Duration) string {
	d.t.Helper()
	return d.waitLine(&d.stdout, substr, timeout)
}

// stop sends SIGTERM (graceful shutdown) and waits, killing after a while.
func (d *demo) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
		d.t.Errorf("duplex-demo did not stop within 10s of SIGTERM")
	}
}

// exitedCleanly reports whether the process ended with status 0.
func (d *demo) exitedCleanly() bool {
	<-d.done
	return d.cmd.ProcessState != nil && d.cmd.ProcessState.Success()
}

// copyWWW copies www/ to a temp dir, replacing old by new in index.html.
func copyWWW(t testing.TB, old, new string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join(repoRoot(), "www")
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "index.html" {
			b = []byte(strings.ReplaceAll(string(b), old, new))
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
