//go:build !js

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTick is the length of one /proc/PID/stat tick (USER_HZ is 100 on Linux).
const clockTick = 10 * time.Millisecond

// serverProc is a benchmarked server process.
type serverProc struct {
	name   string
	cmd    *exec.Cmd
	pid    int
	addr   string
	lines  chan string
	stderr *lockedBuffer
	waited chan struct{}
	werr   error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer starts argv (pinned to core with taskset when core >= 0) in dir
// and waits for its "listening <port>" line.
func startServer(ctx context.Context, name, dir string, core int, argv []string, timeout time.Duration) (*serverProc, error) {
	p, err := startProc(ctx, name, dir, core, argv)
	if err != nil {
		return nil, err
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case line := <-p.lines:
			if port, ok := strings.CutPrefix(line, "listening "); ok {
				p.addr = "127.0.0.1:" + strings.TrimSpace(port)
				return p, nil
			}
		case <-p.waited:
			return nil, fmt.Errorf("%s exited before listening: %v\n%s", name, p.werr, p.stderr.String())
		case <-deadline.C:
			p.stop()
			return nil, fmt.Errorf("%s: no listening line in %v\n%s", name, timeout, p.stderr.String())
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		}
	}
}

// startProc starts argv (pinned to core with taskset when core >= 0) in dir
// ("" = the current one), its stdout lines going to p.lines.
func startProc(ctx context.Context, name, dir string, core int, argv []string) (*serverProc, error) {
	if core >= 0 {
		argv = append([]string{"taskset", "-c", strconv.Itoa(core)}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTRACEBACK=all")
	p := &serverProc{name: name, cmd: cmd, lines: make(chan string, 16), stderr: &lockedBuffer{}, waited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.pid = cmd.Process.Pid
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody listens after startup: drop
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		<-scanned
		p.werr = cmd.Wait()
		close(p.waited)
	}()
	if err := ctx.Err(); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// expect waits for a stdout line with prefix and returns the rest.
func (p *serverProc) expect(prefix string, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case line := <-p.lines:
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(rest), nil
			}
		case <-p.waited:
			return "", fmt.Errorf("%s exited: %v", p.name, p.werr)
		case <-t.C:
			return "", fmt.Errorf("%s: no %q line in %v", p.name, prefix, timeout)
		}
	}
}

// stop asks the server to end (SIGTERM), then kills it after 5 s.
func (p *serverProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-p.waited:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.waited
	}
}

// alive reports an error if the process has exited.
func (p *serverProc) alive() error {
	select {
	case <-p.waited:
		return fmt.Errorf("%s exited: %v\n%s", p.name, p.werr, p.stderr.String())
	default:
		return nil
	}
}

// cpuTime returns the process's user+system CPU time from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	u, sys, err := cpuTimes(pid)
	return u + sys, err
}

// cpuTimes returns the process's user and system (kernel) CPU time from
// /proc/PID/stat.
func cpuTimes(pid int) (user, sys time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, errors.New("cpuTime: malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// After "pid (comm)": field 3 is state, so utime (14) and stime (15) are f[11], f[12].
	if len(f) < 13 {
		return 0, 0, errors.New("cpuTime: short stat")
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("cpuTime: %w", err)
	}
	return time.Duration(u) * clockTick, time.Duration(s) * clockTick, nil
}

// rssKB returns VmRSS of the process in KB from /proc/PID/status.
func rssKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, errors.New("rssKB: no VmRSS")
}
