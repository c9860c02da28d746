//go:build js && wasm

package main

import "sync"

// queue runs functions one at a time, in the order they were added, on the
// goroutine that calls run. JavaScript callbacks (safejs.FuncOf) must never
// block, so they only copy their arguments and add a job here; the client's
// methods, which may wait for a lock or for goroutines to end, run from run.
type queue struct {
	mu      sync.Mutex
	jobs    []func()
	running bool          // run is running jobs
	signal  chan struct{} // has a value when jobs is not empty
}

func newQueue() *queue { return &queue{signal: make(chan struct{}, 1)} }

// add queues fn without blocking.
func (q *queue) add(fn func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, fn)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// run runs the jobs forever (the page's lifetime is the program's).
func (q *queue) run() {
	for range q.signal {
		for {
			q.mu.Lock()
			jobs := q.jobs
			q.jobs = nil
			q.running = len(jobs) > 0
			q.mu.Unlock()
			if len(jobs) == 0 {
				break
			}
			for _, fn := range jobs {
				fn()
			}
		}
	}
}

// idle reports whether every job added has run.
func (q *queue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs) == 0 && !q.running
}
