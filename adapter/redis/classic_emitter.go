package redis

import (
	"context"
	"fmt"
	"slices"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/protocol/sio"
)

// EmitterOptions configure NewEmitter.
type EmitterOptions struct {
	// Key prefixes the channels (default "socket.io").
	Key string
}

// Emitter sends events to the clients of a classic-mode cluster from a
// program that runs no socket.io server, as @socket.io/redis-emitter 5.1
// does (same messages, uid "emitter"): Node and duplex nodes deliver them. It
// is an immutable value; To, Except, Of... return new ones.
type Emitter struct {
	c        Client
	key      string
	nsp      string
	rooms    []string
	except   []string
	volatile bool
}

// emitterUID is the uid the Node emitter writes in its messages.
const emitterUID = "emitter"

// NewEmitter returns an emitter for the main namespace "/" over c.
func NewEmitter(c Client, opts EmitterOptions) Emitter {
	if opts.Key == "" {
		opts.Key = "socket.io"
	}
	return Emitter{c: c, key: opts.Key, nsp: "/"}
}

// Of returns an emitter for namespace nsp ("/" is added in front if missing),
// without the rooms and flags of e.
func (e Emitter) Of(nsp string) Emitter {
	if len(nsp) == 0 || nsp[0] != '/' {
		nsp = "/" + nsp
	}
	return Emitter{c: e.c, key: e.key, nsp: nsp}
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
// ready to receive them.
func (e Emitter) Volatile() Emitter {
	e.volatile = true
	return e
}

func (e Emitter) broadcastChannel() string { return e.key + "#" + e.nsp + "#" }
func (e Emitter) requestChannel() string   { return e.key + "-request#" + e.nsp + "#" }

// Emit sends event with args to the selected clients of every node.
func (e Emitter) Emit(ctx context.Context, event string, args ...any) error {
	if sio.IsReserved(event) {
		return fmt.Errorf("redis: %q is a reserved event name: %w", event, sio.ErrReservedEvent)
	}
	data, err := eventValues(event, args)
	if err != nil {
		return err
	}
	flags := &notepack.Map{}
	if e.volatile {
		flags.Set("volatile", true)
	}
	rooms := dedup(e.rooms)
	msg, err := notepack.Encode([]any{
		emitterUID,
		notepack.NewMap("type", float64(sio.Event), "data", data, "nsp", e.nsp),
		notepack.NewMap("rooms", strs(rooms), "flags", flags, "except", strs(dedup(e.except))),
	})
	if err != nil {
		return fmt.Errorf("redis: emit: %w", err)
	}
	channel := e.broadcastChannel()
	if len(rooms) == 1 {
		channel += rooms[0] + "#"
	}
	return e.c.Publish(ctx, channel, msg)
}

func (e Emitter) selector() *notepack.Map {
	return notepack.NewMap("rooms", strs(dedup(e.rooms)), "except", strs(dedup(e.except)))
}

// SocketsJoin makes the selected sockets of every node join rooms.
func (e Emitter) SocketsJoin(ctx context.Context, rooms ...string) error {
	return e.c.Publish(ctx, e.requestChannel(), toJSON(notepack.NewMap(
		"type", float64(reqRemoteJoin), "opts", e.selector(), "rooms", strs(rooms))))
}

// SocketsLeave makes the selected sockets of every node leave rooms.
func (e Emitter) SocketsLeave(ctx context.Context, rooms ...string) error {
	return e.c.Publish(ctx, e.requestChannel(), toJSON(notepack.NewMap(
		"type", float64(reqRemoteLeave), "opts", e.selector(), "rooms", strs(rooms))))
}

// DisconnectSockets disconnects the selected sockets of every node.
func (e Emitter) DisconnectSockets(ctx context.Context, close bool) error {
	return e.c.Publish(ctx, e.requestChannel(), toJSON(notepack.NewMap(
		"type", float64(reqRemoteDisconnect), "opts", e.selector(), "close", close)))
}

// ServerSideEmit sends event to every node's serverSideEmit handlers
// (acknowledgements are not supported, as with the Node emitter).
func (e Emitter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	if sio.IsReserved(event) {
		return fmt.Errorf("redis: %q is a reserved event name: %w", event, sio.ErrReservedEvent)
	}
	data, err := eventValues(event, args)
	if err != nil {
		return err
	}
	return e.c.Publish(ctx, e.requestChannel(), toJSON(notepack.NewMap(
		"uid", emitterUID, "type", float64(reqServerSideEmit), "data", data)))
}
