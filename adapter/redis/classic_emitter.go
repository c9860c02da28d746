package redis

import (
	"context"
	"fmt"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/protocol/sio"
)

// emitterUID is the uid the Node emitter writes in its messages.
const emitterUID = "emitter"

// NewClassicEmitter returns an emitter for the main namespace "/" of the
// classic cluster that shares c and opts (its Key; nil is the default): it
// writes what @socket.io/redis-emitter 5.1 writes.
func NewClassicEmitter(c Client, opts *ClassicOptions) Emitter {
	o := opts.withDefaults()
	return Emitter{t: classicEmitter{c: c, key: o.Key}, nsp: "/"}
}

// classicEmitter writes the classic format: msgpack broadcasts on
// "<key>#<nsp>#[<room>#]", JSON requests on "<key>-request#<nsp>#".
type classicEmitter struct {
	c   Client
	key string
}

func (t classicEmitter) broadcastChannel(e Emitter) string { return t.key + "#" + e.nsp + "#" }
func (t classicEmitter) requestChannel(e Emitter) string   { return t.key + "-request#" + e.nsp + "#" }

func (t classicEmitter) emit(ctx context.Context, e Emitter, event string, args []any) error {
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
	channel := t.broadcastChannel(e)
	if len(rooms) == 1 {
		channel += rooms[0] + "#"
	}
	return t.c.Publish(ctx, channel, msg)
}

func classicSelector(e Emitter) *notepack.Map {
	return notepack.NewMap("rooms", strs(dedup(e.rooms)), "except", strs(dedup(e.except)))
}

func (t classicEmitter) changeRooms(ctx context.Context, e Emitter, join bool, rooms []string) error {
	typ := reqRemoteLeave
	if join {
		typ = reqRemoteJoin
	}
	return t.c.Publish(ctx, t.requestChannel(e), toJSON(notepack.NewMap(
		"type", float64(typ), "opts", classicSelector(e), "rooms", strs(rooms))))
}

func (t classicEmitter) disconnect(ctx context.Context, e Emitter, close bool) error {
	return t.c.Publish(ctx, t.requestChannel(e), toJSON(notepack.NewMap(
		"type", float64(reqRemoteDisconnect), "opts", classicSelector(e), "close", close)))
}

func (t classicEmitter) serverSideEmit(ctx context.Context, e Emitter, event string, args []any) error {
	if sio.IsReserved(event) {
		return fmt.Errorf("redis: %q is a reserved event name: %w", event, sio.ErrReservedEvent)
	}
	data, err := eventValues(event, args)
	if err != nil {
		return err
	}
	return t.c.Publish(ctx, t.requestChannel(e), toJSON(notepack.NewMap(
		"uid", emitterUID, "type", float64(reqServerSideEmit), "data", data)))
}
