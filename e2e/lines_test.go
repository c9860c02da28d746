//go:build !js

package e2e

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// lines is a growing list of text lines (a tab's console, the events a server
// saw, a process's output) that tests wait on. Safe for concurrent use.
type lines struct {
	mu     sync.Mutex
	all    []string
	signal chan struct{} // closed and replaced when a line arrives
}

// errStopped reports a wait ended by its stop channel.
var errStopped = errors.New("stopped")

func (l *lines) signalLocked() chan struct{} {
	if l.signal == nil {
		l.signal = make(chan struct{})
	}
	return l.signal
}

func (l *lines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, line)
	close(l.signalLocked())
	l.signal = make(chan struct{})
}

// snapshot returns the lines so far.
func (l *lines) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.all...)
}

// String returns the lines so far, one per line.
func (l *lines) String() string { return strings.Join(l.snapshot(), "\n") }

// count counts the lines that match.
func (l *lines) count(match func(string) bool) int {
	n := 0
	for _, s := range l.snapshot() {
		if match(s) {
			n++
		}
	}
	return n
}

// wait waits until n lines match and returns the nth. It fails after timeout
// (which only guards against hangs) or, with errStopped, when stop (nil:
// never) is closed first.
func (l *lines) wait(match func(string) bool, n int, timeout time.Duration, stop <-chan struct{}) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for stopped := false; ; {
		l.mu.Lock()
		found := 0
		for _, s := range l.all {
			if match(s) {
				if found++; found == n {
					l.mu.Unlock()
					return s, nil
				}
			}
		}
		sig := l.signalLocked()
		l.mu.Unlock()
		if stopped {
			return "", errStopped
		}
		select {
		case <-sig:
		case <-stop: // look once more: lines added before stop count
			stopped = true
		case <-deadline.C:
			return "", fmt.Errorf("not within %v", timeout)
		}
	}
}

// containing matches the lines that contain substr.
func containing(substr string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, substr) }
}
