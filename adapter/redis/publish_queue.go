package redis

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// publishBatchMax bounds the commands of one pipeline.
const publishBatchMax = 256

// publishQueue is the ordered, pipelined publish path of the classic
// adapter: Broadcast queues its PUBLISH and returns; one goroutine (ended by
// close) sends everything queued in one pipeline, in order. The queue is
// bounded: when Redis is slow or unreachable, Broadcast waits for room (or
// for its ctx) instead of growing memory. A failed publish is logged with
// the number of messages lost, and counted.
type publishQueue struct {
	c       Client
	log     *slog.Logger
	timeout time.Duration // per pipeline
	q       chan queued
	lost    atomic.Int64

	mu     sync.RWMutex // read: queueing; write: close
	closed bool
	done   chan struct{}
}

// queued is a command in the queue; done, when not nil, receives its
// result (a synchronous publish). A Flush has no command (Name "").
type queued struct {
	cmd  Cmd
	done chan error
}

// newPublishQueue starts a queue of size commands (Broadcast waits for room
// beyond) whose pipelines are each bounded by timeout.
func newPublishQueue(c Client, log *slog.Logger, size int, timeout time.Duration) *publishQueue {
	pq := &publishQueue{c: c, log: log, timeout: timeout, q: make(chan queued, size), done: make(chan struct{})}
	go pq.run()
	return pq
}

// publish queues cmd after what is queued and waits for its result.
func (pq *publishQueue) publish(ctx context.Context, cmd Cmd) error {
	done := make(chan error, 1)
	if err := pq.enqueue(ctx, queued{cmd, done}); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flush waits until what was queued before it is sent (or failed).
func (pq *publishQueue) flush(ctx context.Context) error {
	return pq.publish(ctx, Cmd{})
}

// enqueue queues it, waiting while the queue is full until ctx ends.
func (pq *publishQueue) enqueue(ctx context.Context, cmd queued) error {
	pq.mu.RLock()
	defer pq.mu.RUnlock()
	if pq.closed {
		return ErrClosed
	}
	select {
	case pq.q <- cmd:
		return nil
	default:
	}
	select {
	case pq.q <- cmd:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("redis: publish queue full: %w", ctx.Err())
	}
}

// close stops the queue and returns once what was queued is sent (each
// pipeline bounded by the timeout) or failed.
func (pq *publishQueue) close() {
	pq.mu.Lock()
	if !pq.closed {
		pq.closed = true
		close(pq.q)
	}
	pq.mu.Unlock()
	<-pq.done
}

func (pq *publishQueue) run() {
	defer close(pq.done)
	batch := make([]queued, 0, publishBatchMax)
	cmds := make([]Cmd, 0, publishBatchMax)
	for {
		cmd, ok := <-pq.q
		if !ok {
			return
		}
		batch = append(batch[:0], cmd)
		// Take what was queued when the first arrived, no more: a sender
		// refilling the queue meanwhile waits for the next batch, so at
		// most 2*cap(q)+1 messages are held (the batch and the queue).
		for n := min(len(pq.q), publishBatchMax-1); n > 0; n-- {
			cmd, ok := <-pq.q
			if !ok {
				break
			}
			batch = append(batch, cmd)
		}
		cmds = cmds[:0]
		for _, it := range batch {
			if it.cmd.Name != "" {
				cmds = append(cmds, it.cmd)
			}
		}
		var errs []error
		if len(cmds) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), pq.timeout)
			_, errs = pipeline(ctx, pq.c, cmds)
			cancel()
			if len(errs) != len(cmds) {
				err := fmt.Errorf("redis: Pipeline returned %d results for %d commands", len(errs), len(cmds))
				errs = make([]error, len(cmds))
				for i := range errs {
					errs[i] = err
				}
			}
		}
		var lost int
		var first error
		i := 0
		for _, it := range batch {
			if it.cmd.Name == "" {
				continue
			}
			err := errs[i]
			i++
			if it.done != nil {
				it.done <- err
				continue
			}
			if err != nil {
				lost++
				if first == nil {
					first = err
				}
			}
		}
		if lost > 0 {
			pq.lost.Add(int64(lost))
			pq.log.Warn("redis: broadcasts not published: the other servers' clients miss them", "lost", lost, "err", first)
		}
		for _, it := range batch { // Flushes, once the batch is counted
			if it.cmd.Name == "" {
				it.done <- nil
			}
		}
		clear(batch)
		clear(cmds)
	}
}
