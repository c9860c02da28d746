package cluster

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// OnMessage handles a message from another node (the transport calls it, in
// the order each node published): requests and broadcasts are applied to
// this server's sockets and answered, responses complete this server's
// requests. Messages from this node or another namespace are ignored; offset
// is the message's offset when the transport numbers messages (else "").
func (a *Adapter) OnMessage(m *Message, offset string) {
	if m.UID == a.cfg.UID || m.NSP != a.nsp.Name() || a.isClosed() {
		return
	}
	if a.nodes != nil && m.UID != "" && m.UID != EmitterUID {
		a.mu.Lock()
		a.nodes[m.UID] = time.Now()
		a.mu.Unlock()
	}
	if m.Type.IsResponse() {
		a.onResponse(m)
		return
	}
	switch d := m.Data.(type) {
	case nil:
		a.onControl(m)
	case *BroadcastData:
		opts := d.Opts.server()
		p := d.Packet.sio(a.nsp.Name())
		if d.RequestID != "" {
			a.relayWithAck(m.UID, d.RequestID, &p, opts)
			return
		}
		_ = a.MemoryAdapter.Broadcast(a.ctx, a.withOffset(&p, opts, offset), opts)
	case *RoomsData:
		if m.Type == SocketsJoin {
			_ = a.MemoryAdapter.AddSockets(a.ctx, d.Opts.server(), d.Rooms)
		} else {
			_ = a.MemoryAdapter.DelSockets(a.ctx, d.Opts.server(), d.Rooms)
		}
	case *DisconnectData:
		_ = a.MemoryAdapter.DisconnectSockets(a.ctx, d.Opts.server(), d.Close)
	case *FetchSocketsData:
		local, _ := a.MemoryAdapter.FetchSockets(a.ctx, d.Opts.server())
		infos := make([]SocketInfo, 0, len(local))
		for _, rs := range local {
			infos = append(infos, socketInfo(rs))
		}
		a.respond(m.UID, a.message(FetchSocketsResponse, &FetchSocketsResponseData{RequestID: d.RequestID, Sockets: infos}))
	case *ServerSideEmitData:
		a.onServerSideEmit(m.UID, d)
	default:
		a.log.Debug("cluster: ignoring a message", "type", m.Type, "from", m.UID)
	}
}

// onControl handles the messages without data: heartbeats.
func (a *Adapter) onControl(m *Message) {
	switch m.Type {
	case InitialHeartbeat:
		if a.nodes != nil {
			_, _ = a.publish(a.ctx, a.message(Heartbeat, nil))
		}
	case AdapterClose:
		if a.nodes != nil {
			a.removeNode(m.UID)
		}
	case Heartbeat:
	default:
		a.log.Debug("cluster: ignoring a message without data", "type", m.Type, "from", m.UID)
	}
}

// relayWithAck delivers a broadcast with acks from node uid to this server's
// sockets: their count, then each ack, go back to uid.
func (a *Adapter) relayWithAck(uid, requestID string, p *sio.Packet, opts server.BroadcastOptions) {
	timeout := opts.Flags.Timeout
	if timeout <= 0 {
		timeout = a.cfg.RequestTimeout
	}
	ctx, cancel := context.WithTimeout(a.ctx, timeout)
	context.AfterFunc(ctx, cancel) // the pending acks are dropped when it ends
	q := p.WithID(a.nsp.NextAckID())
	_ = a.MemoryAdapter.BroadcastWithAck(ctx, &q, opts, func(n int) {
		a.respond(uid, a.message(BroadcastClientCount, &ClientCountData{RequestID: requestID, ClientCount: n}))
	}, func(args server.Args, err error) {
		if err != nil {
			return // a client that disconnected: Node sends nothing either
		}
		a.respond(uid, a.message(BroadcastAck, &ResponseData{RequestID: requestID, Packet: firstArg(args)}))
	})
}

// firstArg returns the first of args (Node keeps only that one).
func firstArg(args server.Args) Payload {
	raw := args.Raw(0)
	if raw == nil {
		raw = json.RawMessage("null")
	}
	return Payload{JSON: raw, Attachments: args.Attachments()}
}

// onServerSideEmit hands a serverSideEmit from node uid to the namespace's
// handlers and, when it awaits an answer, to the adapter's.
func (a *Adapter) onServerSideEmit(uid string, d *ServerSideEmitData) {
	name, args, err := sio.ParseEvent(&sio.Packet{Type: sio.Event, Data: d.Packet.JSON, Attachments: d.Packet.Attachments})
	if err != nil {
		a.log.Warn("cluster: ignoring a malformed serverSideEmit", "from", uid, slog.Any("error", err))
		return
	}
	a.nsp.ReceiveServerSideEmit(name, args)
	if d.RequestID == "" {
		return
	}
	a.mu.Lock()
	hs := a.sseAcks[name]
	a.mu.Unlock()
	if len(hs) == 0 {
		a.log.Debug("cluster: serverSideEmit awaits an answer but no OnServerSideEmit handler of the adapter answers it", "event", name, "from", uid)
		return
	}
	var acked atomic.Bool
	ack := func(reply any) error {
		if !acked.CompareAndSwap(false, true) {
			return nil
		}
		data, att, err := sio.MarshalArgs(reply)
		if err != nil {
			acked.Store(false)
			return err
		}
		v := data[1 : len(data)-1] // the one value of [reply]
		a.respond(uid, a.message(ServerSideEmitResponse, &ResponseData{RequestID: d.RequestID, Packet: Payload{JSON: v, Attachments: att}}))
		return nil
	}
	for _, h := range hs {
		h(args, ack)
	}
}
