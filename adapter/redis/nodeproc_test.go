//go:build !js

package redis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
)

// nodeProc runs one of interop/cluster's scripts (node.js, clients.js),
// driven by JSON lines: commands {"id","op",...} answered by {"id","ok",
// "result"|"error"}, and events {"ev",...} collected in order.
type nodeProc struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser

	mu      sync.Mutex
	nextID  int
	pending map[int]chan nodeReply
	events  []map[string]any
	changed chan struct{} // closed and replaced when events grow
	ready   map[string]any
	stderr  *bytes.Buffer
	exited  chan struct{}
}

type nodeReply struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// startNode starts `node interop/cluster/<script> args...` and waits for its
// ready line. It is killed when the test ends.
func startNode(t *testing.T, name, script string, args ...string) *nodeProc {
	t.Helper()
	dir := filepath.Join(nodetest.Root(t), "cluster")
	cmd := exec.Command("node", append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	p := &nodeProc{t: t, name: name, cmd: cmd, pending: make(map[int]chan nodeReply),
		changed: make(chan struct{}), stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{mu: &p.mu, w: p.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node %s: %v (run `make deps`: npm ci in interop/cluster)", script, err)
	}
	readyc := make(chan map[string]any, 1)
	go func() {
		defer close(p.exited)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			p.line(sc.Bytes(), readyc)
		}
		_ = cmd.Wait()
		p.mu.Lock()
		for id, c := range p.pending {
			c <- nodeReply{Error: "node process exited"}
			delete(p.pending, id)
		}
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("node %s stderr:\n%s", name, p.stderr.String())
			p.mu.Unlock()
		}
	})
	select {
	case r := <-readyc:
		p.ready = r
	case <-p.exited:
		t.Fatalf("node %s exited before ready:\n%s", script, p.stderrString())
	case <-time.After(20 * time.Second):
		t.Fatalf("node %s not ready in 20 s:\n%s", script, p.stderrString())
	}
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *nodeProc) stderrString() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *nodeProc) line(b []byte, readyc chan map[string]any) {
	var head struct {
		ID    json.RawMessage `json:"id"`
		Ready bool            `json:"ready"`
		Ev    string          `json:"ev"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		p.t.Logf("node %s: unreadable line %q", p.name, b)
		return
	}
	switch {
	case head.Ready:
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		readyc <- m
	case head.Ev == "" && len(head.ID) > 0:
		var id int
		if json.Unmarshal(head.ID, &id) != nil {
			p.t.Logf("node %s: reply with id %s", p.name, head.ID)
			return
		}
		var r nodeReply
		_ = json.Unmarshal(b, &r)
		p.mu.Lock()
		c := p.pending[id]
		delete(p.pending, id)
		p.mu.Unlock()
		if c != nil {
			c <- r
		}
	case head.Ev != "":
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		p.mu.Lock()
		p.events = append(p.events, m)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}
}

// call sends command op with fields kv and returns its result.
func (p *nodeProc) call(op string, kv map[string]any) (json.RawMessage, error) {
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	c := make(chan nodeReply, 1)
	p.pending[id] = c
	p.mu.Unlock()
	cmd := map[string]any{"id": id, "op": op}
	for k, v := range kv {
		cmd[k] = v
	}
	b, _ := json.Marshal(cmd)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("node %s: %w", p.name, err)
	}
	select {
	case r := <-c:
		if !r.OK {
			return nil, fmt.Errorf("node %s %s: %s", p.name, op, r.Error)
		}
		return r.Result, nil
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("node %s %s: no answer in 30 s", p.name, op)
	}
}

// mustCall is call that fails the test on error, decoding the result into out
// (when not nil).
func (p *nodeProc) mustCall(op string, kv map[string]any, out any) {
	p.t.Helper()
	res, err := p.call(op, kv)
	if err != nil {
		p.t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			p.t.Fatalf("node %s %s: result %s: %v", p.name, op, res, err)
		}
	}
}

// waitEvents waits until pred holds for the events received so far.
func (p *nodeProc) waitEvents(timeout time.Duration, pred func(evs []map[string]any) bool) bool {
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

// eventsWhere returns the events for which pred holds.
func (p *nodeProc) eventsWhere(pred func(map[string]any) bool) []map[string]any {
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

// kill ends the process with SIGKILL (a node that dies) and waits for it.
func (p *nodeProc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.exited
}

func (p *nodeProc) port() string {
	return fmt.Sprint(p.ready["port"])
}

// str is a helper for event fields.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

var _ = strings.TrimSpace
