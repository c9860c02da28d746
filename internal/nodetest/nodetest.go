//go:build !js

package nodetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Root returns the repository's interop directory, which holds package.json,
// the lock file and node_modules with the pinned reference packages. It fails
// the test when node or the packages are missing: run `make deps`.
func Root(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("nodetest: cannot locate the source tree")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "interop")
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatalf("nodetest: node is not installed (%v); run `make deps`", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io", "package.json")); err != nil {
		tb.Fatalf("nodetest: the pinned npm packages are missing (%v); run `make deps` (npm ci in interop/)", err)
	}
	return dir
}

// Script returns the absolute path of a script under interop/ (rel is relative to it).
func Script(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Root(tb), rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("nodetest: %v", err)
	}
	return p
}

// Run runs `node script args...` with stdin as its standard input, and returns
// its standard output. A non-zero exit fails the test with the script's stderr.
func Run(tb testing.TB, ctx context.Context, stdin io.Reader, script string, args ...string) []byte {
	tb.Helper()
	cmd := exec.CommandContext(ctx, "node", append([]string{Script(tb, script)}, args...)...)
	cmd.Dir = Root(tb)
	cmd.Stdin = stdin
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("nodetest: node %s: %v\nstderr:\n%s\nstdout:\n%s", script, err, stderr.String(), out)
	}
	return out
}

// Process is a running Node script whose standard output is read line by
// line; Send writes lines to its standard input.
type Process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// Start starts `node script args...` with extra environment variables env
// ("KEY=value"). The process is killed when the test ends.
func Start(tb testing.TB, script string, env []string, args ...string) *Process {
	tb.Helper()
	cmd := exec.Command("node", append([]string{Script(tb, script)}, args...)...)
	cmd.Dir = Root(tb)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := &Process{cmd: cmd, stdin: stdin, lines: make(chan string, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("nodetest: start %s: %v", script, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.err = cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("node %s stderr:\n%s", script, p.stderr.String())
		}
	})
	return p
}

// Send writes line and a newline to the process's standard input: a script
// that waits for it does its next step only when the test is ready for it.
func (p *Process) Send(line string) error {
	_, err := io.WriteString(p.stdin, line+"\n")
	return err
}

// ErrExited reports that the process ended before printing the expected line.
var ErrExited = errors.New("nodetest: process exited")

// Line returns the next line of output, or an error after timeout or when the
// process has exited.
func (p *Process) Line(timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case l, ok := <-p.lines:
		if !ok {
			<-p.done
			return "", fmt.Errorf("%w (%v); stderr:\n%s", ErrExited, p.err, p.stderr.String())
		}
		return l, nil
	case <-t.C:
		return "", fmt.Errorf("nodetest: no output within %v; stderr:\n%s", timeout, p.stderr.String())
	}
}

// Expect reads lines until one has the given prefix and returns it, failing the
// test after timeout.
func (p *Process) Expect(tb testing.TB, prefix string, timeout time.Duration) string {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		l, err := p.Line(time.Until(deadline))
		if err != nil {
			tb.Fatalf("waiting for %q: %v", prefix, err)
		}
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
}

// Wait waits for the process to exit and returns its error.
func (p *Process) Wait(timeout time.Duration) error {
	go func() {
		for range p.lines {
		}
	}()
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.Kill()
		<-p.done
		return fmt.Errorf("nodetest: process did not exit within %v", timeout)
	}
}

// Kill ends the process (if it is still running) and waits for it.
func (p *Process) Kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	go func() {
		for range p.lines {
		}
	}()
	<-p.done
}

// Stderr returns what the process wrote to its standard error so far.
func (p *Process) Stderr() string { return p.stderr.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
