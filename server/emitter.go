package server

import (
	"context"
	"time"
)

// AckFunc, as the last argument of Emit, asks the client for an
// acknowledgement: it is called once, with the client's reply or with an error
// (ErrTimeout after Timeout's duration, ErrDisconnected when the socket
// disconnects first).
type AckFunc func(args Args, err error)

// Emitter emits to one socket with modifiers (timeout, volatile, compress).
// It is immutable: every modifier returns a new Emitter.
type Emitter struct {
	s     *Socket
	flags emitFlags
}

type emitFlags struct {
	timeout  time.Duration
	volatile bool
}

// Timeout returns an Emitter whose acks fail with ErrTimeout after d.
func (e *Emitter) Timeout(d time.Duration) *Emitter {
	c := *e
	c.flags.timeout = d
	return &c
}

// Volatile returns an Emitter whose events may be dropped when the client is
// not ready to receive them.
func (e *Emitter) Volatile() *Emitter {
	c := *e
	c.flags.volatile = true
	return &c
}

// Compress is accepted for API compatibility; the engine decides on
// compression (permessage-deflate, HTTP compression) by itself.
func (e *Emitter) Compress(bool) *Emitter { c := *e; return &c }

// Emit emits event with args (a last AckFunc argument asks for an ack).
func (e *Emitter) Emit(event string, args ...any) error { return e.s.emit(event, args, e.flags) }

// EmitWithAck emits event and waits for the client's acknowledgement, until
// ctx is done or the Emitter's timeout. Do not call it from an event handler's
// goroutine (it would stall the connection that carries the reply): start a
// goroutine.
func (e *Emitter) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	return e.s.emitWithAck(ctx, event, args, e.flags)
}
