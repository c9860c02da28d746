package redis

import (
	"context"
	"fmt"
	"slices"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server/cluster"
)

// NewStreamsEmitter returns an emitter for the main namespace "/" of the
// streams cluster that shares c and opts (its StreamName, ChannelPrefix,
// MaxLen, UseShardedPubSub and OnlyPlaintext; nil is the default).
// Broadcasts and room changes are stream entries: they get offsets, and
// clients that recover later receive them.
//
// No npm package emits to a streams cluster (@socket.io/redis-emitter speaks
// the classic mode only): the format here is the one Node streams nodes read,
// a type-3 stream entry as a node appends it.
func NewStreamsEmitter(c Client, opts *StreamsOptions) Emitter {
	o := opts.withDefaults()
	return Emitter{nsp: "/", t: clusterEmitter(func(ctx context.Context, m *cluster.Message) error {
		_, err := publishStreams(ctx, c, &o, m)
		return err
	})}
}

// clusterEmitter writes the operations as the cluster messages a node
// publishes (streams and sharded modes), with the given publish.
type clusterEmitter func(ctx context.Context, m *cluster.Message) error

func clusterOpts(e Emitter) cluster.Options {
	return cluster.Options{Rooms: uniq(e.rooms), Except: uniq(e.except), Flags: cluster.Flags{Volatile: e.volatile}}
}

func (publish clusterEmitter) send(ctx context.Context, e Emitter, t cluster.MessageType, data any) error {
	return publish(ctx, &cluster.Message{Type: t, Data: data, UID: cluster.EmitterUID, NSP: e.nsp})
}

func (publish clusterEmitter) emit(ctx context.Context, e Emitter, event string, args []any) error {
	data, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return fmt.Errorf("redis: emit: %w", err)
	}
	p := cluster.Packet{Type: int(sio.Event), Data: cluster.Payload{JSON: data, Attachments: att}}
	return publish.send(ctx, e, cluster.Broadcast, &cluster.BroadcastData{Packet: p, Opts: clusterOpts(e)})
}

func (publish clusterEmitter) changeRooms(ctx context.Context, e Emitter, join bool, rooms []string) error {
	t := cluster.SocketsLeave
	if join {
		t = cluster.SocketsJoin
	}
	return publish.send(ctx, e, t, &cluster.RoomsData{Opts: clusterOpts(e), Rooms: uniq(rooms)})
}

func (publish clusterEmitter) disconnect(ctx context.Context, e Emitter, close bool) error {
	return publish.send(ctx, e, cluster.DisconnectSockets, &cluster.DisconnectData{Opts: clusterOpts(e), Close: close})
}

func (publish clusterEmitter) serverSideEmit(ctx context.Context, e Emitter, event string, args []any) error {
	data, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return fmt.Errorf("redis: serverSideEmit: %w", err)
	}
	return publish.send(ctx, e, cluster.ServerSideEmit, &cluster.ServerSideEmitData{Packet: cluster.Payload{JSON: data, Attachments: att}})
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
