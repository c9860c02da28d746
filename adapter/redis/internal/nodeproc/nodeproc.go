// Package nodeproc runs a test's helper process that speaks the JSON lines of
// interop/cluster's scripts (node.js, clients.js, or a Go node built for a
// test): commands {"id":N,"op":...} on its stdin, answered by
// {"id":N,"ok":...,"result"|"error"} on its stdout, events {"ev":...} on its
// stdout, kept in order, and a first line {"ready":true,...}.
package nodeproc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// replyTimeout bounds the wait for the answer to a command.
const replyTimeout = 30 * time.Second

// Proc is a running helper process, killed when its test ends (its stderr is
// logged then if the test failed).
type Proc struct {
	t     testing.TB
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	ready map[string]any
	done  chan struct{} // closed when the process has exited

	mu      sync.Mutex
	nextID  int
	pending map[int]chan reply
	events  []map[string]any
	cursor  int           // events before it were taken by Event or Next
	changed chan struct{} // closed and replaced when events grow
	stderr  strings.Builder
}

type reply struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// Dir returns interop/cluster, failing the test when node or the pinned npm
// packages are missing.
func Dir(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "interop", "cluster")
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatalf("node is not installed (%v); run `make deps`", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@socket.io", "redis-streams-adapter", "package.json")); err != nil {
		tb.Fatalf("the pinned cluster npm packages are missing (%v); run `make deps` (npm ci in interop/cluster)", err)
	}
	return dir
}

// Start starts `node interop/cluster/<script> args...` and waits for its
// ready line.
func Start(tb testing.TB, name, script string, args ...string) *Proc {
	tb.Helper()
	dir := Dir(tb)
	cmd := exec.Command("node", append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	return StartCmd(tb, name, cmd)
}

// StartCmd starts cmd, a program that speaks the same JSON lines, and waits
// for its ready line.
func StartCmd(tb testing.TB, name string, cmd *exec.Cmd) *Proc {
	tb.Helper()
	p := &Proc{t: tb, name: name, cmd: cmd, pending: make(map[int]chan reply),
		changed: make(chan struct{}), done: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = lockedWriter{p}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v (run `make deps`)", name, err)
	}
	readyc := make(chan map[string]any, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			p.line(sc.Bytes(), readyc)
		}
		_ = cmd.Wait()
	}()
	tb.Cleanup(func() {
		p.Kill(syscall.SIGKILL)
		if tb.Failed() {
			tb.Logf("%s stderr:\n%s", name, p.Stderr())
		}
	})
	select {
	case p.ready = <-readyc:
	case <-p.done:
		tb.Fatalf("%s exited before it was ready:\n%s", name, p.Stderr())
	case <-time.After(20 * time.Second):
		tb.Fatalf("%s not ready in 20 s:\n%s", name, p.Stderr())
	}
	return p
}

type lockedWriter struct{ p *Proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.stderr.Write(b)
}

// Stderr returns what the process wrote on its stderr so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *Proc) line(b []byte, readyc chan map[string]any) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		p.t.Logf("%s: unreadable line %q", p.name, b)
		return
	}
	switch {
	case m["ready"] == true:
		select {
		case readyc <- m:
		default:
		}
	case m["ev"] != nil:
		p.mu.Lock()
		p.events = append(p.events, m)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	default:
		id, ok := m["id"].(float64)
		if !ok {
			p.t.Logf("%s: line without id, ev or ready: %q", p.name, b)
			return
		}
		var r reply
		_ = json.Unmarshal(b, &r)
		p.mu.Lock()
		c := p.pending[int(id)]
		delete(p.pending, int(id))
		p.mu.Unlock()
		if c != nil {
			c <- r
		}
	}
}

// Do sends command op with the fields of kv and returns its result.
func (p *Proc) Do(op string, kv map[string]any) (json.RawMessage, error) {
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	c := make(chan reply, 1)
	p.pending[id] = c
	p.mu.Unlock()
	cmd := map[string]any{"id": id, "op": op}
	for k, v := range kv {
		cmd[k] = v
	}
	b, _ := json.Marshal(cmd)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("%s %s: %w", p.name, op, err)
	}
	var r reply
	select {
	case r = <-c:
	case <-p.done:
		select {
		case r = <-c: // answered, then exited
		default:
			return nil, fmt.Errorf("%s %s: %w", p.name, op, errExited)
		}
	case <-time.After(replyTimeout):
		return nil, fmt.Errorf("%s %s: no answer in %v", p.name, op, replyTimeout)
	}
	if !r.OK {
		return nil, fmt.Errorf("%s %s: %s", p.name, op, r.Error)
	}
	return r.Result, nil
}

var errExited = errors.New("the process exited")

// MustCall is Do that fails the test on error and decodes the result into
// out (when not nil).
func (p *Proc) MustCall(op string, kv map[string]any, out any) {
	p.t.Helper()
	res, err := p.Do(op, kv)
	if err != nil {
		p.t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			p.t.Fatalf("%s %s: result %s: %v", p.name, op, res, err)
		}
	}
}

// Call is Do that fails the test on error; it returns the result as JSON
// values (map[string]any, []any, float64...).
func (p *Proc) Call(op string, kv map[string]any) any {
	p.t.Helper()
	res, err := p.Do(op, kv)
	if err != nil {
		p.t.Fatal(err)
	}
	var v any
	if len(res) > 0 {
		if err := json.Unmarshal(res, &v); err != nil {
			p.t.Fatalf("%s %s: result %s: %v", p.name, op, res, err)
		}
	}
	return v
}

// WaitEvents waits until pred holds for every event received so far (taken
// or not).
func (p *Proc) WaitEvents(timeout time.Duration, pred func(evs []map[string]any) bool) bool {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		ok := pred(p.events)
		ch := p.changed
		p.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

// EventsWhere returns the events received so far (taken or not) for which
// pred holds.
func (p *Proc) EventsWhere(pred func(map[string]any) bool) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, e := range p.events {
		if pred(e) {
			out = append(out, e)
		}
	}
	return out
}

// Next takes the next event not taken yet, waiting for it until stop is
// closed (then ok is false).
func (p *Proc) Next(stop <-chan struct{}) (ev map[string]any, ok bool) {
	for {
		p.mu.Lock()
		if p.cursor < len(p.events) {
			ev = p.events[p.cursor]
			p.cursor++
			p.mu.Unlock()
			return ev, true
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-stop:
			return nil, false
		}
	}
}

// Event takes events until one for which match is true (the others are
// taken too), waiting at most timeout.
func (p *Proc) Event(match func(map[string]any) bool, timeout time.Duration) (map[string]any, bool) {
	stop := make(chan struct{})
	t := time.AfterFunc(timeout, func() { close(stop) })
	defer t.Stop()
	for {
		ev, ok := p.Next(stop)
		if !ok || match(ev) {
			return ev, ok
		}
	}
}

// Signal sends sig to the process (SIGSTOP: a node that hangs).
func (p *Proc) Signal(sig syscall.Signal) {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

// Kill sends sig to the process and waits for it to exit (SIGKILL after 5 s).
func (p *Proc) Kill(sig syscall.Signal) {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Port is the "port" of the ready line (a node's HTTP port).
func (p *Proc) Port() int {
	f, _ := p.ready["port"].(float64)
	return int(f)
}
