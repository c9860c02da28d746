package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// request is a fetchSockets or a serverSideEmit with acks awaiting the
// other servers: it completes when expected servers answered (or, in
// heartbeat mode, every node in missing).
type request struct {
	typ      MessageType
	expected int
	missing  map[string]bool // heartbeat mode
	seen     map[string]bool // uids that answered
	sockets  []*server.RemoteSocket
	replies  []server.Args
	done     chan struct{}
	once     sync.Once
	err      error // set before done closes
}

func (r *request) complete()      { r.once.Do(func() { close(r.done) }) }
func (r *request) fail(err error) { r.once.Do(func() { r.err = err; close(r.done) }) }
func (r *request) answered() int  { return len(r.seen) }
func (r *request) finished() bool {
	if r.missing != nil {
		return len(r.missing) == 0
	}
	return len(r.seen) >= r.expected
}

// newRequest registers a request expecting the other servers' answers; it
// returns nil when there is no other server.
func (a *Adapter) newRequest(ctx context.Context, typ MessageType) (string, *request, error) {
	r := &request{typ: typ, seen: make(map[string]bool), done: make(chan struct{})}
	if a.nodes != nil {
		a.mu.Lock()
		r.missing = make(map[string]bool, len(a.nodes))
		for uid := range a.nodes {
			r.missing[uid] = true
		}
		a.mu.Unlock()
		if len(r.missing) == 0 {
			return "", nil, nil
		}
	} else {
		n, err := a.ServerCount(ctx)
		if err != nil {
			return "", nil, err
		}
		if r.expected = n - 1; r.expected <= 0 {
			return "", nil, nil
		}
	}
	id := randomID()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return "", nil, ErrClosed
	}
	a.requests[id] = r
	return id, r, nil
}

// wait waits for request id to complete, for timeout or for ctx.
func (a *Adapter) wait(ctx context.Context, id string, r *request, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	var err error
	timedOut := false
	select {
	case <-r.done:
	case <-t.C:
		timedOut = true
	case <-ctx.Done():
		err = ctx.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.requests, id)
	if timedOut && !r.finished() {
		err = fmt.Errorf("%w: %v: only %d responses received out of %d", ErrTimeout, r.typ, r.answered(), r.expectedCount())
	}
	if err == nil {
		err = r.err
	}
	return err
}

func (r *request) expectedCount() int {
	if r.missing != nil {
		return len(r.seen) + len(r.missing)
	}
	return r.expected
}

// FetchSockets implements server.Adapter: this server's sockets and those the
// other servers send back. When a server does not answer within the
// broadcast's Timeout (default Config.RequestTimeout) the sockets received
// so far are returned with an error matching ErrTimeout.
func (a *Adapter) FetchSockets(ctx context.Context, opts server.BroadcastOptions) ([]*server.RemoteSocket, error) {
	local, _ := a.MemoryAdapter.FetchSockets(ctx, opts)
	if opts.Flags.Local {
		return local, nil
	}
	id, r, err := a.newRequest(ctx, FetchSockets)
	if err != nil || r == nil {
		return local, err
	}
	if _, err := a.publish(ctx, a.message(FetchSockets, &FetchSocketsData{Opts: wireOptions(opts), RequestID: id})); err != nil {
		a.mu.Lock()
		delete(a.requests, id)
		a.mu.Unlock()
		return local, err
	}
	timeout := opts.Flags.Timeout
	if timeout <= 0 {
		timeout = a.cfg.RequestTimeout
	}
	err = a.wait(ctx, id, r, timeout)
	a.mu.Lock()
	defer a.mu.Unlock()
	return append(local, r.sockets...), err
}

// ServerSideEmitWithAck sends event to the other servers and returns the
// reply of each (the first argument its handler acked with), once every
// server answered. After Config.RequestTimeout it returns the replies
// received so far with an error matching ErrTimeout.
func (a *Adapter) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]server.Args, error) {
	if sio.IsReserved(event) {
		return nil, sio.ErrReservedEvent
	}
	data, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return nil, err
	}
	id, r, err := a.newRequest(ctx, ServerSideEmit)
	if err != nil || r == nil {
		return nil, err
	}
	m := a.message(ServerSideEmit, &ServerSideEmitData{RequestID: id, Packet: Payload{JSON: data, Attachments: att}})
	if _, err := a.publish(ctx, m); err != nil {
		a.mu.Lock()
		delete(a.requests, id)
		a.mu.Unlock()
		return nil, err
	}
	err = a.wait(ctx, id, r, a.cfg.RequestTimeout)
	a.mu.Lock()
	defer a.mu.Unlock()
	return r.replies, err
}

// OnServerSideEmit registers h for event sent by another server with
// ServerSideEmitWithAck (or Node's serverSideEmit with a callback): h
// answers with ack. Events sent without ack go to the namespace's
// OnServerSideEmit handlers only; those with acks go to both.
func (a *Adapter) OnServerSideEmit(event string, h ServerSideEmitHandler) {
	a.mu.Lock()
	a.sseAcks[event] = append(a.sseAcks[event], h)
	a.mu.Unlock()
}

// onResponse handles an answer to one of this server's requests.
func (a *Adapter) onResponse(m *Message) {
	switch d := m.Data.(type) {
	case *ClientCountData:
		a.mu.Lock()
		ar := a.acks[d.RequestID]
		a.mu.Unlock()
		if ar != nil {
			ar.onCount(d.ClientCount)
		}
	case *ResponseData:
		if m.Type == BroadcastAck {
			a.mu.Lock()
			ar := a.acks[d.RequestID]
			a.mu.Unlock()
			if ar != nil {
				ar.onAck(payloadArgs(d.Packet), nil)
			}
			return
		}
		a.answer(m.UID, d.RequestID, func(r *request) { r.replies = append(r.replies, payloadArgs(d.Packet)) })
	case *FetchSocketsResponseData:
		socks := make([]*server.RemoteSocket, 0, len(d.Sockets))
		for _, si := range d.Sockets {
			socks = append(socks, remoteSocket(a.nsp, si))
		}
		a.answer(m.UID, d.RequestID, func(r *request) { r.sockets = append(r.sockets, socks...) })
	}
}

// answer records node uid's answer to request id with add.
func (a *Adapter) answer(uid, id string, add func(r *request)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.requests[id]
	if r == nil || r.seen[uid] {
		return
	}
	r.seen[uid] = true
	delete(r.missing, uid)
	add(r)
	if r.finished() {
		r.complete()
	}
}

// payloadArgs returns the single value p as an argument list.
func payloadArgs(p Payload) server.Args {
	data := make([]byte, 0, len(p.JSON)+2)
	data = append(append(append(data, '['), p.value()...), ']')
	return sio.ParseArgs(&sio.Packet{Type: sio.Ack, Data: data, Attachments: p.Attachments})
}

// value returns p's JSON, null if empty.
func (p Payload) value() json.RawMessage {
	b, _ := p.MarshalJSON()
	return b
}
