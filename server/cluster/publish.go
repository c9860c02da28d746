package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// BatchPublisher is an optional interface of a Transport that sends several
// messages in one round trip (a pipeline of Redis commands). PublishBatch
// sends ms in order and returns, for each, its offset (as Publish does) and
// its error; both slices have len(ms) entries.
type BatchPublisher interface {
	PublishBatch(ctx context.Context, ms []*Message) (offsets []string, errs []error)
}

// Defaults of the publish queue.
const (
	DefaultPublishQueue   = 1024
	DefaultPublishTimeout = 5 * time.Second
	maxPublishBatch       = 256
)

// pending is a message waiting in the publish queue: a broadcast to deliver
// locally once published (p non-nil), or a synchronous publish whose result
// a caller waits for (done non-nil), or a Flush (m nil).
type pending struct {
	m    *Message
	p    *sio.Packet
	opts server.BroadcastOptions
	done chan publishResult
}

type publishResult struct {
	offset string
	err    error
}

// publisher is the ordered publish path of an Adapter: every message the
// adapter publishes goes through its bounded queue, and one goroutine (run,
// ended by close) sends what is queued in one batch, then delivers the
// broadcasts locally, in the order they were queued.
type publisher struct {
	a *Adapter
	q chan pending

	mu     sync.RWMutex // held for reading while queueing, for writing by close
	closed bool

	done chan struct{} // closed when run returns
}

func newPublisher(a *Adapter) *publisher {
	pb := &publisher{a: a, q: make(chan pending, a.cfg.PublishQueue), done: make(chan struct{})}
	go pb.run()
	return pb
}

// enqueue adds it to the queue, waiting for room while the queue is full
// until ctx ends. The bound: a slow or unreachable transport slows the
// emitters down, it does not grow memory; at most 2*PublishQueue+1
// messages are held (the queue, and the batch in flight, which took at
// most what the queue held).
func (pb *publisher) enqueue(ctx context.Context, it pending) error {
	pb.mu.RLock()
	defer pb.mu.RUnlock()
	if pb.closed {
		return ErrClosed
	}
	select {
	case pb.q <- it:
		return nil
	default:
	}
	select {
	case pb.q <- it:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cluster: publish queue full: %w", ctx.Err())
	}
}

// publish queues m and waits for its offset.
func (pb *publisher) publish(ctx context.Context, m *Message) (string, error) {
	done := make(chan publishResult, 1)
	if err := pb.enqueue(ctx, pending{m: m, done: done}); err != nil {
		return "", err
	}
	select {
	case r := <-done:
		return r.offset, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Flush waits until the broadcasts queued before it are published to the
// other servers (or failed) and delivered to this server's sockets, or ctx
// ends. It returns ErrClosed after Close.
func (a *Adapter) Flush(ctx context.Context) error {
	if a.isClosed() {
		return ErrClosed
	}
	done := make(chan publishResult, 1)
	if err := a.pub.enqueue(ctx, pending{done: done}); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the queue, waits for run to publish and deliver what was
// queued (each batch bounded by PublishTimeout), and returns.
func (pb *publisher) close() {
	pb.mu.Lock()
	if !pb.closed {
		pb.closed = true
		close(pb.q)
	}
	pb.mu.Unlock()
	<-pb.done
}

// run is the queue's owner: it takes every message queued (up to
// maxPublishBatch), publishes them in one batch, then hands out the results
// and delivers the broadcasts locally, in order, until the queue is closed
// and empty.
func (pb *publisher) run() {
	defer close(pb.done)
	batch := make([]pending, 0, maxPublishBatch)
	ms := make([]*Message, 0, maxPublishBatch)
	for {
		it, ok := <-pb.q
		if !ok {
			return
		}
		batch = append(batch[:0], it)
		// Take what was queued when the first arrived, no more: a sender
		// refilling the queue meanwhile waits for the next batch, so at
		// most 2*cap(q)+1 messages are held (the batch and the queue).
		for n := min(len(pb.q), maxPublishBatch-1); n > 0; n-- {
			it, ok := <-pb.q
			if !ok {
				break
			}
			batch = append(batch, it)
		}
		ms = ms[:0]
		for _, it := range batch {
			if it.m != nil {
				ms = append(ms, it.m)
			}
		}
		var offsets []string
		var errs []error
		if len(ms) > 0 {
			offsets, errs = pb.send(ms)
		}
		pb.finish(batch, offsets, errs)
		clear(batch)
		clear(ms)
	}
}

// send publishes ms in one batch when the transport can, else one by one.
func (pb *publisher) send(ms []*Message) ([]string, []error) {
	a := pb.a
	a.touchHeartbeat()
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.PublishTimeout)
	defer cancel()
	if bp, ok := a.t.(BatchPublisher); ok {
		offsets, errs := bp.PublishBatch(ctx, ms)
		if len(offsets) == len(ms) && len(errs) == len(ms) {
			return offsets, errs
		}
		err := fmt.Errorf("cluster: PublishBatch returned %d offsets and %d errors for %d messages", len(offsets), len(errs), len(ms))
		errs = make([]error, len(ms))
		for i := range errs {
			errs[i] = err
		}
		return make([]string, len(ms)), errs
	}
	offsets, errs := make([]string, len(ms)), make([]error, len(ms))
	for i, m := range ms {
		offsets[i], errs[i] = a.t.Publish(ctx, m)
	}
	return offsets, errs
}

// finish hands out the results of a batch and delivers its broadcasts
// locally, in order; the broadcasts that could not be published are
// logged (how many) and counted before the callers waiting on the batch
// (Flush, synchronous publishes) are told.
func (pb *publisher) finish(batch []pending, offsets []string, errs []error) {
	a := pb.a
	var lost int
	var first error
	i := 0 // index in offsets and errs
	for j, it := range batch {
		if it.m == nil { // a Flush: told below
			continue
		}
		off, err := offsets[i], errs[i]
		i++
		if err != nil {
			err = fmt.Errorf("cluster: publishing %v: %w", it.m.Type, err)
		}
		if it.done != nil {
			batch[j].done = nil
			if err != nil {
				a.log.Warn("cluster: cannot publish", slog.Any("error", err))
			}
			it.done <- publishResult{off, err}
			continue
		}
		if err != nil {
			lost++
			if first == nil {
				first = err
			}
		}
		if it.p != nil {
			if lerr := a.MemoryAdapter.Broadcast(a.ctx, a.withOffset(it.p, it.opts, off), it.opts); lerr != nil {
				a.log.Warn("cluster: local delivery of a broadcast failed", slog.Any("error", lerr))
			}
		}
	}
	if lost > 0 {
		a.lost.Add(int64(lost))
		a.log.Warn("cluster: broadcasts not published to the other servers", "lost", lost, slog.Any("error", first))
	}
	for _, it := range batch {
		if it.m == nil && it.done != nil {
			it.done <- publishResult{}
		}
	}
}
