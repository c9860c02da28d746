//go:build !js

package redis_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// jsProc is a Node script of interop/cluster driven by JSON lines: commands
// {"id":N,"op":..} on stdin, replies {"id":N,"ok":..} and events {"ev":..} on
// stdout.
type jsProc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	nextID atomic.Int64
	ready  map[string]any

	mu      sync.Mutex
	waiting map[int64]chan map[string]any
	events  chan map[string]any
	stderr  strings.Builder
	done    chan struct{}
}

func clusterDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "interop", "cluster")
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed (%v); run `make deps`", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@socket.io", "redis-streams-adapter", "package.json")); err != nil {
		t.Fatalf("the pinned cluster npm packages are missing (%v); run `make deps` (npm ci in interop/cluster)", err)
	}
	return dir
}

// startJS starts `node script args...` and waits for its ready line.
func startJS(t *testing.T, name, script string, args ...string) *jsProc {
	t.Helper()
	dir := clusterDir(t)
	cmd := exec.Command("node", append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	return startProc(t, name, cmd)
}

// startProc starts cmd, a program that speaks the JSON lines of the
// interop/cluster scripts, and waits for its ready line.
func startProc(t *testing.T, name string, cmd *exec.Cmd) *jsProc {
	t.Helper()
	p := &jsProc{t: t, name: name, cmd: cmd, waiting: make(map[int64]chan map[string]any), events: make(chan map[string]any, 4096), done: make(chan struct{})}
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &lockedWriter{b: &p.stderr, mu: &p.mu}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	readyCh := make(chan map[string]any, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			switch {
			case m["ready"] == true:
				readyCh <- m
			case m["ev"] != nil:
				select {
				case p.events <- m:
				default:
				}
			default:
				id, _ := m["id"].(float64)
				p.mu.Lock()
				ch := p.waiting[int64(id)]
				delete(p.waiting, int64(id))
				p.mu.Unlock()
				if ch != nil {
					ch <- m
				}
			}
		}
		_ = p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.kill(syscall.SIGKILL)
		if t.Failed() {
			p.mu.Lock()
			t.Logf("%s stderr:\n%s", name, p.stderr.String())
			p.mu.Unlock()
		}
	})
	select {
	case p.ready = <-readyCh:
	case <-p.done:
		t.Fatalf("%s exited before it was ready: %s", name, p.stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("%s not ready", name)
	}
	return p
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// call sends a command and returns its result; an error reply fails the
// test unless wantErr.
func (p *jsProc) do(op string, args map[string]any) (any, error) {
	id := p.nextID.Add(1)
	cmd := map[string]any{"id": id, "op": op}
	for k, v := range args {
		cmd[k] = v
	}
	b, _ := json.Marshal(cmd)
	ch := make(chan map[string]any, 1)
	p.mu.Lock()
	p.waiting[id] = ch
	p.mu.Unlock()
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r["ok"] != true {
			return nil, fmt.Errorf("%s %s: %v", p.name, op, r["error"])
		}
		return r["result"], nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited", p.name)
	case <-time.After(20 * time.Second):
		return nil, fmt.Errorf("%s %s: no reply", p.name, op)
	}
}

func (p *jsProc) call(op string, args map[string]any) any {
	p.t.Helper()
	r, err := p.do(op, args)
	if err != nil {
		p.t.Fatal(err)
	}
	return r
}

// event waits for the next event for which match is true (others are
// dropped).
func (p *jsProc) event(match func(map[string]any) bool, timeout time.Duration) (map[string]any, bool) {
	deadline := time.After(timeout)
	for {
		select {
		case e := <-p.events:
			if match(e) {
				return e, true
			}
		case <-deadline:
			return nil, false
		}
	}
}

func (p *jsProc) kill(sig syscall.Signal) {
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

func (p *jsProc) port() int {
	f, _ := p.ready["port"].(float64)
	return int(f)
}

// proxy is a TCP front whose new connections go to a target that can change
// (a load balancer): clients keep their URL when their node is lost. cut
// closes every connection made so far.
type proxy struct {
	ln     net.Listener
	target atomic.Value // string
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	p.target.Store(target)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) set(target string) { p.target.Store(target) }

func (p *proxy) serve(c net.Conn) {
	u, err := net.Dial("tcp", p.target.Load().(string))
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, u)
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
	<-done
	_ = c.Close()
	_ = u.Close()
	<-done
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

var _ = context.Background
