package redis

import (
	"context"
	"errors"
	"slices"
)

// Emitter sends events to the clients of a cluster from a program that runs
// no socket.io server, writing what a node of the cluster's mode would write
// (uid "emitter"): Node and duplex nodes deliver it. NewClassicEmitter,
// NewShardedEmitter and NewStreamsEmitter make one for each mode. It is an
// immutable value; To, Except, Of... return new ones.
type Emitter struct {
	t        emitterTransport
	nsp      string
	rooms    []string
	except   []string
	volatile bool
}

// emitterTransport writes an emitter's operations in the format of one mode.
type emitterTransport interface {
	emit(ctx context.Context, e Emitter, event string, args []any) error
	changeRooms(ctx context.Context, e Emitter, join bool, rooms []string) error
	disconnect(ctx context.Context, e Emitter, close bool) error
	serverSideEmit(ctx context.Context, e Emitter, event string, args []any) error
}

// errNoEmitter is the error of the methods of an Emitter not made by a
// constructor.
var errNoEmitter = errors.New("redis: emitter: not made by NewClassicEmitter, NewShardedEmitter or NewStreamsEmitter")

// Of returns an emitter for namespace nsp ("/" is added in front if
// missing), without the rooms and flags of e.
func (e Emitter) Of(nsp string) Emitter {
	if len(nsp) == 0 || nsp[0] != '/' {
		nsp = "/" + nsp
	}
	return Emitter{t: e.t, nsp: nsp}
}

// To returns an emitter that also targets rooms.
func (e Emitter) To(rooms ...string) Emitter {
	e.rooms = slices.Concat(e.rooms, rooms)
	return e
}

// In is To.
func (e Emitter) In(rooms ...string) Emitter { return e.To(rooms...) }

// Except returns an emitter that skips the sockets in rooms.
func (e Emitter) Except(rooms ...string) Emitter {
	e.except = slices.Concat(e.except, rooms)
	return e
}

// Volatile returns an emitter whose events may be dropped for clients not
// ready to receive them (and, in streams mode, are not kept for recovery).
func (e Emitter) Volatile() Emitter {
	e.volatile = true
	return e
}

// Emit sends event with args ([]byte values are binary) to the selected
// clients of every node.
func (e Emitter) Emit(ctx context.Context, event string, args ...any) error {
	if e.t == nil {
		return errNoEmitter
	}
	return e.t.emit(ctx, e, event, args)
}

// SocketsJoin makes the selected sockets of every node join rooms.
func (e Emitter) SocketsJoin(ctx context.Context, rooms ...string) error {
	if e.t == nil {
		return errNoEmitter
	}
	return e.t.changeRooms(ctx, e, true, rooms)
}

// SocketsLeave makes the selected sockets of every node leave rooms.
func (e Emitter) SocketsLeave(ctx context.Context, rooms ...string) error {
	if e.t == nil {
		return errNoEmitter
	}
	return e.t.changeRooms(ctx, e, false, rooms)
}

// DisconnectSockets disconnects the selected sockets of every node.
func (e Emitter) DisconnectSockets(ctx context.Context, close bool) error {
	if e.t == nil {
		return errNoEmitter
	}
	return e.t.disconnect(ctx, e, close)
}

// ServerSideEmit sends event to every node's serverSideEmit handlers (no
// acknowledgements: an emitter is no node to answer to, as with the Node
// emitter).
func (e Emitter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	if e.t == nil {
		return errNoEmitter
	}
	return e.t.serverSideEmit(ctx, e, event, args)
}
