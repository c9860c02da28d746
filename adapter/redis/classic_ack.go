package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// Broadcasts with acknowledgements across servers.

// BroadcastWithAck implements server.Adapter: the request goes to the other
// servers (msgpack on the request channel), each answers with its client
// count and then one message per client ack (the first value of it, as the
// Node adapter carries); this server's sockets are served by the local part.
// The answers are listened for until ctx ends.
func (a *ClassicAdapter) BroadcastWithAck(ctx context.Context, p *sio.Packet, opts server.BroadcastOptions, onCount func(int), onAck func(server.Args, error)) error {
	if !opts.Flags.Local {
		id := newUID(6)
		pv, err := packetValue(p, a.nsp.Name())
		if err != nil {
			return err
		}
		msg, err := notepack.Encode(notepack.NewMap(
			"uid", a.uid,
			"requestId", id,
			"type", float64(reqBroadcast),
			"packet", pv,
			"opts", optsValue(opts, true),
		))
		if err != nil {
			return fmt.Errorf("redis: broadcast with ack: %w", err)
		}
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			return ErrClosed
		}
		a.ackRequests[id] = &ackRequest{onCount: onCount, onAck: onAck}
		a.mu.Unlock()
		context.AfterFunc(ctx, func() {
			a.mu.Lock()
			delete(a.ackRequests, id)
			a.mu.Unlock()
		})
		if err := a.publish(ctx, a.requestChannel, msg); err != nil {
			a.mu.Lock()
			delete(a.ackRequests, id)
			a.mu.Unlock()
			return fmt.Errorf("redis: broadcast with ack: %w", err)
		}
	}
	return a.MemoryAdapter.BroadcastWithAck(ctx, p, opts, onCount, onAck)
}

// onBroadcastWithAck serves another server's broadcast with acks: this
// server's sockets get the packet under a new ack id of the namespace
// (Namespace.NextAckID, as server/cluster numbers relays), the requester gets
// the client count (JSON) and then each ack (msgpack).
func (a *ClassicAdapter) onBroadcastWithAck(uid, requestID string, req *notepack.Map) error {
	if requestID == "" {
		return fmt.Errorf("%w: broadcast with ack without requestId", ErrMalformed)
	}
	v, _ := req.Get("packet")
	pm, ok := v.(*notepack.Map)
	if !ok {
		return fmt.Errorf("%w: broadcast with ack without packet", ErrMalformed)
	}
	p, err := packetFrom(pm, a.nsp.Name())
	if err != nil {
		return err
	}
	opts, err := requestOpts(req)
	if err != nil {
		return err
	}
	opts.Flags.Local = true
	timeout := opts.Flags.Timeout
	if timeout <= 0 {
		timeout = a.opts.RequestsTimeout
	}
	p.ID, p.HasID = a.nsp.NextAckID(), true
	// The sockets' pending acks are dropped when this context ends: after
	// the requester's own timeout, or when the adapter closes.
	ctx, cancel := context.WithTimeout(a.ctx, timeout+time.Second)
	context.AfterFunc(ctx, cancel)
	onCount := func(n int) {
		if err := a.respond(uid, toJSON(notepack.NewMap("type", float64(reqBroadcastClientCount), "requestId", requestID, "clientCount", float64(n)))); err != nil {
			a.log.Warn("redis: client count not sent", "err", err)
		}
	}
	onAck := func(args server.Args, err error) {
		if err != nil {
			return // the client disconnected: the Node adapter sends nothing either
		}
		var first any = notepack.Undefined{} // an ack without value: no "packet" key
		if args.Len() > 0 {
			first, err = firstArgValue(args)
		}
		if err != nil {
			a.log.Warn("redis: ack not relayed", "err", err)
			return
		}
		msg, err := notepack.Encode(notepack.NewMap("type", float64(reqBroadcastAck), "requestId", requestID, "packet", first))
		if err == nil {
			err = a.respond(uid, msg)
		}
		if err != nil {
			a.log.Warn("redis: ack not relayed", "err", err)
		}
	}
	return a.MemoryAdapter.BroadcastWithAck(ctx, p, opts, onCount, onAck)
}
