package redis

import (
	"context"
	"fmt"
	"slices"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server/cluster"
)

// ClusterEmitter sends events to the clients of a streams-mode or
// sharded-mode cluster from a program that runs no socket.io server: it
// publishes the cluster messages a node would (uid "emitter"), which Node and
// duplex nodes deliver. NewStreamsEmitter and NewShardedEmitter make one. It
// is an immutable value; To, Except, Of... return new ones.
//
// No npm package emits to a streams cluster (@socket.io/redis-emitter speaks
// the classic mode only, and reaches neither streams nor sharded nodes): the
// streams format here is the one Node streams nodes read, a type-3 stream
// entry as a node appends it.
type ClusterEmitter struct {
	publish  func(ctx context.Context, m *cluster.Message) error
	nsp      string
	rooms    []string
	except   []string
	volatile bool
}

// NewStreamsEmitter returns an emitter for the main namespace "/" of the
// streams cluster that shares c and opts (its StreamName, ChannelPrefix,
// MaxLen, UseShardedPubSub and OnlyPlaintext). Broadcasts and room changes
// are stream entries: they get offsets, and clients that recover later
// receive them.
func NewStreamsEmitter(c Client, opts *StreamsOptions) ClusterEmitter {
	o := opts.withDefaults()
	return ClusterEmitter{nsp: "/", publish: func(ctx context.Context, m *cluster.Message) error {
		_, err := publishStreams(ctx, c, &o, m)
		return err
	}}
}

// Of returns an emitter for namespace nsp ("/" is added in front if
// missing), without the rooms and flags of e.
func (e ClusterEmitter) Of(nsp string) ClusterEmitter {
	if len(nsp) == 0 || nsp[0] != '/' {
		nsp = "/" + nsp
	}
	return ClusterEmitter{publish: e.publish, nsp: nsp}
}

// To returns an emitter that also targets rooms.
func (e ClusterEmitter) To(rooms ...string) ClusterEmitter {
	e.rooms = slices.Concat(e.rooms, rooms)
	return e
}

// In is To.
func (e ClusterEmitter) In(rooms ...string) ClusterEmitter { return e.To(rooms...) }

// Except returns an emitter that skips the sockets in rooms.
func (e ClusterEmitter) Except(rooms ...string) ClusterEmitter {
	e.except = slices.Concat(e.except, rooms)
	return e
}

// Volatile returns an emitter whose events may be dropped for clients not
// ready to receive them (and are not kept for recovery).
func (e ClusterEmitter) Volatile() ClusterEmitter {
	e.volatile = true
	return e
}

func (e ClusterEmitter) opts() cluster.Options {
	return cluster.Options{Rooms: uniq(e.rooms), Except: uniq(e.except), Flags: cluster.Flags{Volatile: e.volatile}}
}

func (e ClusterEmitter) send(ctx context.Context, t cluster.MessageType, data any) error {
	if e.publish == nil {
		return fmt.Errorf("redis: emitter: not made by NewStreamsEmitter or NewShardedEmitter")
	}
	return e.publish(ctx, &cluster.Message{Type: t, Data: data, UID: cluster.EmitterUID, NSP: e.nsp})
}

// Emit sends event with args ([]byte values are binary) to the selected
// clients of every node.
func (e ClusterEmitter) Emit(ctx context.Context, event string, args ...any) error {
	data, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return fmt.Errorf("redis: emit: %w", err)
	}
	p := cluster.Packet{Type: int(sio.Event), Data: cluster.Payload{JSON: data, Attachments: att}}
	return e.send(ctx, cluster.Broadcast, &cluster.BroadcastData{Packet: p, Opts: e.opts()})
}

// SocketsJoin makes the selected sockets of every node join rooms.
func (e ClusterEmitter) SocketsJoin(ctx context.Context, rooms ...string) error {
	return e.send(ctx, cluster.SocketsJoin, &cluster.RoomsData{Opts: e.opts(), Rooms: uniq(rooms)})
}

// SocketsLeave makes the selected sockets of every node leave rooms.
func (e ClusterEmitter) SocketsLeave(ctx context.Context, rooms ...string) error {
	return e.send(ctx, cluster.SocketsLeave, &cluster.RoomsData{Opts: e.opts(), Rooms: uniq(rooms)})
}

// DisconnectSockets disconnects the selected sockets of every node.
func (e ClusterEmitter) DisconnectSockets(ctx context.Context, close bool) error {
	return e.send(ctx, cluster.DisconnectSockets, &cluster.DisconnectData{Opts: e.opts(), Close: close})
}

// ServerSideEmit sends event to every node's serverSideEmit handlers (no
// acknowledgements: an emitter is no node to answer to).
func (e ClusterEmitter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	data, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return fmt.Errorf("redis: serverSideEmit: %w", err)
	}
	return e.send(ctx, cluster.ServerSideEmit, &cluster.ServerSideEmitData{Packet: cluster.Payload{JSON: data, Attachments: att}})
}

// uniq returns s without repeats, never nil (Node's Sets of rooms).
func uniq(s []string) []string {
	out := make([]string, 0, len(s))
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
