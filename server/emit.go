package server

import (
	"context"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// Emit emits event with args to the client. If the last argument is an
// AckFunc, an acknowledgement is requested. Reserved names are refused with
// sio.ErrReservedEvent; a disconnected socket returns ErrDisconnected.
func (s *Socket) Emit(event string, args ...any) error { return s.emit(event, args, emitFlags{}) }

// EmitWithAck emits event and waits for the client's acknowledgement or for
// ctx to be done. Handlers run on the connection's read loop, which also
// carries the reply: call EmitWithAck from another goroutine, never directly
// from a handler.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	return s.emitWithAck(ctx, event, args, emitFlags{})
}

// Timeout returns an Emitter whose acks fail with ErrTimeout after d.
func (s *Socket) Timeout(d time.Duration) *Emitter {
	return &Emitter{s: s, flags: emitFlags{timeout: d}}
}

// Volatile returns an Emitter whose events may be dropped when the client is
// not ready to receive them.
func (s *Socket) Volatile() *Emitter { return &Emitter{s: s, flags: emitFlags{volatile: true}} }

// Compress returns an Emitter; the flag is advisory (see Emitter.Compress).
func (s *Socket) Compress(bool) *Emitter { return &Emitter{s: s} }

func (s *Socket) emit(event string, args []any, f emitFlags) error {
	var ack func(Args, error)
	if n := len(args); n > 0 {
		switch fn := args[n-1].(type) {
		case AckFunc:
			ack, args = fn, args[:n-1]
		case func(Args, error):
			ack, args = fn, args[:n-1]
		}
	}
	_, err := s.emitPacket(event, args, f, ack)
	return err
}

func (s *Socket) emitPacket(event string, args []any, f emitFlags, ack func(Args, error)) (uint64, error) {
	recovery := s.nsp.srv.opts.ConnectionStateRecovery != nil
	if ack == nil && (!recovery || f.volatile) {
		return 0, s.emitDirect(event, args, f.volatile)
	}
	p, err := sio.NewEvent(s.nsp.name, event, args...)
	if err != nil {
		return 0, err
	}
	if !s.connected.Load() {
		return 0, ErrDisconnected
	}
	s.notifyOutgoing(event, args)
	var id uint64
	if ack != nil {
		id = s.nsp.nextAckID()
		p = p.WithID(id)
		if !s.registerAck(id, f.timeout, ack) {
			return 0, ErrDisconnected
		}
	}
	if recovery && ack == nil && !f.volatile {
		// Through the adapter, so that the event is numbered and kept for
		// recovery, as the reference does.
		return 0, s.nsp.adapter.Broadcast(context.Background(), &p, BroadcastOptions{Rooms: []string{s.id}})
	}
	return id, s.client.send(p, f.volatile, 0, nil)
}

// emitDirect emits an event without ack to this client only, its header and
// payload written into one buffer. The event is refused before it is
// reported to the OnAnyOutgoing handlers and sent when it does not encode or
// the socket is disconnected.
func (s *Socket) emitDirect(event string, args []any, volatile bool) error {
	p := sio.Packet{Type: sio.Event, Namespace: s.nsp.name}
	return s.client.send(p, volatile, 64, func(b []byte) ([]byte, [][]byte, error) {
		b, att, err := sio.AppendEvent(b, event, args...)
		if err != nil {
			return nil, nil, err
		}
		if !s.connected.Load() {
			return nil, nil, ErrDisconnected
		}
		s.notifyOutgoing(event, args)
		return b, att, nil
	})
}

func (s *Socket) emitWithAck(ctx context.Context, event string, args []any, f emitFlags) (Args, error) {
	type result struct {
		args Args
		err  error
	}
	ch := make(chan result, 1)
	id, err := s.emitPacket(event, args, f, func(a Args, err error) { ch <- result{a, err} })
	if err != nil {
		return Args{}, err
	}
	select {
	case r := <-ch:
		return r.args, r.err
	case <-ctx.Done():
		s.takeAck(id)
		return Args{}, ctx.Err()
	}
}

func (s *Socket) notifyOutgoing(event string, args []any) {
	s.mu.Lock()
	hs := s.hooksLocked().outgoing
	s.mu.Unlock()
	for _, h := range hs {
		h(event, args)
	}
}

// pendingAck is an ack the socket waits for.
type pendingAck struct {
	fn    func(Args, error)
	timer *time.Timer
}

// registerAck records fn as the handler of ack id; it reports false if the
// socket is already closed.
func (s *Socket) registerAck(id uint64, timeout time.Duration, fn func(Args, error)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acksClosed {
		return false
	}
	if s.acks == nil {
		s.acks = make(map[uint64]*pendingAck)
	}
	pa := &pendingAck{fn: fn}
	if timeout > 0 {
		pa.timer = time.AfterFunc(timeout, func() {
			if s.takeAck(id) != nil {
				s.nsp.srv.stats.ackTimeouts.Add(1)
				fn(Args{}, ErrTimeout)
			}
		})
	}
	s.acks[id] = pa
	s.nsp.srv.stats.acksPending.Add(1)
	return true
}

// takeAck removes and returns the pending ack id (nil if unknown).
func (s *Socket) takeAck(id uint64) *pendingAck {
	s.mu.Lock()
	defer s.mu.Unlock()
	pa := s.acks[id]
	if pa != nil {
		s.nsp.srv.stats.acksPending.Add(-1)
		delete(s.acks, id)
		if pa.timer != nil {
			pa.timer.Stop()
		}
	}
	return pa
}

// failAcks fails every pending ack with ErrDisconnected and refuses new ones.
func (s *Socket) failAcks() {
	s.mu.Lock()
	acks := s.acks
	s.acks = nil
	s.acksClosed = true
	s.nsp.srv.stats.acksPending.Add(-int64(len(acks)))
	s.mu.Unlock()
	for _, pa := range acks {
		if pa.timer != nil {
			pa.timer.Stop()
		}
		pa.fn(Args{}, ErrDisconnected)
	}
}
