package client

import (
	"context"
	"slices"
	"time"
)

// Emitter emits with flags: see Socket.Timeout and Socket.Volatile.
type Emitter struct {
	s          *Socket
	timeout    time.Duration
	hasTimeout bool
	volatile   bool
	fromQueue  bool
}

// Emit sends event with args. If the last argument is an AckFunc (or a
// func(Args, error)), an ack is requested and the func is called once with
// the reply or an error. While the socket is disconnected the packet is
// buffered (up to SendBufferSize, then ErrBufferFull) and sent on connect.
func (s *Socket) Emit(event string, args ...any) error { return s.emitter().Emit(event, args...) }

// EmitWithAck emits event and waits for the ack, ctx's end, the timeout or a
// disconnection. When ctx ends first the ack is forgotten and, with Retries,
// the packet leaves the retry queue (it is not sent again). Do not call it
// from a handler: handlers run on the connection's goroutine, which delivers
// the ack (use a new goroutine).
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	return s.emitter().EmitWithAck(ctx, event, args...)
}

// Send emits a "message" event.
func (s *Socket) Send(args ...any) error { return s.Emit("message", args...) }

// Timeout returns an Emitter whose acks fail with ErrTimeout after d.
func (s *Socket) Timeout(d time.Duration) *Emitter { return s.emitter().Timeout(d) }

// Volatile returns an Emitter whose packets are dropped (not buffered) when
// the socket is not connected.
func (s *Socket) Volatile() *Emitter { return s.emitter().Volatile() }

func (s *Socket) emitter() *Emitter {
	e := &Emitter{s: s}
	if s.opts.AckTimeout > 0 {
		e.timeout, e.hasTimeout = s.opts.AckTimeout, true
	}
	return e
}

// Timeout returns a copy of e whose acks fail with ErrTimeout after d.
func (e *Emitter) Timeout(d time.Duration) *Emitter {
	c := *e
	c.timeout, c.hasTimeout = d, true
	return &c
}

// Volatile returns a copy of e whose packets are dropped when not connected.
func (e *Emitter) Volatile() *Emitter {
	c := *e
	c.volatile = true
	return &c
}

// Emit: see Socket.Emit.
func (e *Emitter) Emit(event string, args ...any) error {
	_, err := e.emit(event, args)
	return err
}

// EmitWithAck: see Socket.EmitWithAck.
func (e *Emitter) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	type result struct {
		args Args
		err  error
	}
	ch := make(chan result, 1)
	ack := AckFunc(func(a Args, err error) { ch <- result{a, err} })
	withdraw, err := e.emit(event, append(args[:len(args):len(args)], ack))
	if err != nil {
		return Args{}, err
	}
	select {
	case r := <-ch:
		return r.args, r.err
	case <-ctx.Done():
		withdraw()
		return Args{}, ctx.Err()
	}
}

func splitAck(args []any) ([]any, AckFunc) {
	if n := len(args); n > 0 {
		switch f := args[n-1].(type) {
		case AckFunc:
			return args[:n-1], f
		case func(Args, error):
			return args[:n-1], f
		}
	}
	return args, nil
}

// emit returns a func that withdraws the emit when its caller stops waiting
// for the ack: the ack is forgotten and a Retries packet leaves the queue.
func (e *Emitter) emit(event string, args []any) (withdraw func(), err error) {
	args, ack := splitAck(args)
	p, err := newEvent(&e.s.m.enc, e.s.nsp, event, args)
	if err != nil {
		return nil, err
	}
	s := e.s
	if s.opts.Retries > 0 && !e.fromQueue && !e.volatile {
		q, err := s.addToQueue(e, event, args, ack)
		if err != nil {
			return nil, err
		}
		return func() { s.cancelQueued(q) }, nil
	}
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	var id uint64
	if ack != nil {
		id = s.ids
		s.ids++
		p = p.WithID(id)
	}
	connected := s.connected && m.eng != nil
	switch {
	case e.volatile && !connected:
		// Dropped, as socket.io-client does; an ack can still time out.
	case connected:
		if err := m.sendLocked(&p); err != nil {
			return nil, err
		}
	default:
		if len(s.sendBuf) >= s.opts.SendBufferSize {
			return nil, ErrBufferFull
		}
		s.sendBuf = append(s.sendBuf, &p)
	}
	if ack == nil {
		return func() {}, nil
	}
	s.registerAckLocked(id, ack, e)
	return func() { s.forgetAck(id) }, nil
}

func (s *Socket) registerAckLocked(id uint64, fn AckFunc, e *Emitter) {
	a := &pendingAck{fn: fn, queued: e.fromQueue}
	s.acks[id] = a
	if !e.hasTimeout {
		return
	}
	m := s.m
	a.timer = time.AfterFunc(e.timeout, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if s.acks[id] != a {
			return
		}
		delete(s.acks, id)
		s.unbufferLocked(id)
		m.queueLocked(callback{kind: cbAck, ack: fn, err: ErrTimeout})
	})
}

// unbufferLocked removes the buffered packet with ack id, if any.
func (s *Socket) unbufferLocked(id uint64) {
	// As slices.DeleteFunc, whose instantiation for this one caller is ~1.3 KB
	// of client.wasm.
	kept := s.sendBuf[:0]
	for _, p := range s.sendBuf {
		if !p.HasID || p.ID != id {
			kept = append(kept, p)
		}
	}
	clear(s.sendBuf[len(kept):])
	s.sendBuf = kept
}

// forgetAck drops a pending ack (EmitWithAck's context ended). The ack of a
// Retries packet also takes its buffered packet out of the send buffer: the
// emit was cancelled.
func (s *Socket) forgetAck(id uint64) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if a, ok := s.acks[id]; ok {
		delete(s.acks, id)
		if a.timer != nil {
			a.timer.Stop()
		}
		if a.queued {
			s.unbufferLocked(id)
		}
	}
}

// ---- Retries: one packet at a time, re-sent until acknowledged (socket.io-client's _queue) ----

type queuedEmit struct {
	id        uint64
	tryCount  int
	pending   bool
	cancelled bool   // withdrawn by EmitWithAck's context: no longer in the queue
	withdraw  func() // forgets the ack of the try in flight
	event     string
	args      []any
	flags     Emitter
}

func (s *Socket) addToQueue(e *Emitter, event string, args []any, ack AckFunc) (*queuedEmit, error) {
	m := s.m
	m.mu.Lock()
	if len(s.queue) >= s.opts.SendBufferSize {
		m.mu.Unlock()
		return nil, ErrBufferFull
	}
	q := &queuedEmit{id: s.queueSeq, event: event, flags: *e}
	s.queueSeq++
	q.flags.fromQueue = true
	wrapper := AckFunc(func(a Args, err error) {
		m.mu.Lock()
		if len(s.queue) == 0 || s.queue[0] != q {
			m.mu.Unlock()
			return // already acknowledged
		}
		done := false
		if err != nil {
			if q.tryCount > s.opts.Retries {
				s.queue = s.queue[1:]
				done = true
			}
		} else {
			s.queue = s.queue[1:]
			done = true
		}
		q.pending = false
		m.mu.Unlock()
		if done && ack != nil {
			ack(a, err)
		}
		s.drainQueue(false)
	})
	q.args = append(args[:len(args):len(args)], wrapper)
	s.queue = append(s.queue, q)
	m.mu.Unlock()
	s.drainQueue(false)
	return q, nil
}

// cancelQueued takes q out of the queue: it is not retried, the ack of its try
// in flight is forgotten, and the next packet goes out if q was first.
func (s *Socket) cancelQueued(q *queuedEmit) {
	m := s.m
	m.mu.Lock()
	i := slices.Index(s.queue, q)
	if i < 0 {
		m.mu.Unlock()
		return // already acknowledged or out of retries
	}
	s.queue = slices.Delete(s.queue, i, i+1)
	q.cancelled = true
	withdraw := q.withdraw
	m.mu.Unlock()
	if withdraw != nil {
		withdraw()
	}
	if i == 0 {
		s.drainQueue(false)
	}
}

func (s *Socket) drainQueue(force bool) {
	m := s.m
	m.mu.Lock()
	if !s.connected || len(s.queue) == 0 {
		m.mu.Unlock()
		return
	}
	q := s.queue[0]
	if q.pending && !force {
		m.mu.Unlock()
		return
	}
	q.pending = true
	q.tryCount++
	flags := q.flags
	m.mu.Unlock()
	withdraw, err := flags.emit(q.event, q.args)
	if err != nil {
		m.log.Debug("client: queued emit failed", "err", err)
		return
	}
	m.mu.Lock()
	q.withdraw = withdraw
	cancelled := q.cancelled
	m.mu.Unlock()
	if cancelled { // cancelQueued ran while this try was being sent
		withdraw()
	}
}
