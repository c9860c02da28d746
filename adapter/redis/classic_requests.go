package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// Requests sent to the other servers, and answers to theirs.

// ErrClosed (from client.go) also reports an adapter closed while a request
// was waiting.

// newRequest registers a request waiting for want answers.
func (a *ClassicAdapter) newRequest(typ, want int) (string, *classicRequest, error) {
	r := &classicRequest{typ: typ, want: want, done: make(chan struct{})}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return "", nil, ErrClosed
	}
	id := newUID(6)
	for a.requests[id] != nil {
		id = newUID(6)
	}
	a.requests[id] = r
	return id, r, nil
}

// wait waits for request id to complete, for ctx, or for the requests
// timeout; it returns ErrTimeout (wrapped, with the count of answers) when
// not every server answered.
func (a *ClassicAdapter) wait(ctx context.Context, what, id string, r *classicRequest) error {
	t := time.NewTimer(a.opts.RequestsTimeout)
	defer t.Stop()
	var err error
	select {
	case <-r.done:
		a.mu.Lock()
		closed := a.closed && r.got < r.want
		a.mu.Unlock()
		if closed {
			return fmt.Errorf("redis: %s: %w", what, ErrClosed)
		}
		return nil
	case <-t.C:
		err = ErrTimeout
	case <-ctx.Done():
		err = ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			err = ErrTimeout
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-r.done: // completed meanwhile
		return nil
	default:
	}
	delete(a.requests, id)
	return fmt.Errorf("%w: %s: %d of %d servers answered", err, what, r.got, r.want)
}

// selectorJSON is {"rooms":[..],"except":[..]}.
func (a *ClassicAdapter) request(typ int, requestID string, kv ...any) []byte {
	m := notepack.NewMap("uid", a.uid)
	if requestID != "" {
		m.Set("requestId", requestID)
	}
	m.Set("type", float64(typ))
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return toJSON(m)
}

// FetchSockets implements server.Adapter: this server's sockets, plus those
// the other servers send back (every server must answer within the
// requests timeout, or ErrTimeout).
func (a *ClassicAdapter) FetchSockets(ctx context.Context, opts server.BroadcastOptions) ([]*server.RemoteSocket, error) {
	local, err := a.MemoryAdapter.FetchSockets(ctx, opts)
	if err != nil || opts.Flags.Local {
		return local, err
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return nil, fmt.Errorf("redis: fetchSockets: counting servers: %w", err)
	}
	if n <= 1 {
		return local, nil
	}
	id, r, err := a.newRequest(reqRemoteFetch, n-1)
	if err != nil {
		return nil, err
	}
	r.sockets = local
	if err := a.publish(ctx, a.requestChannel, a.request(reqRemoteFetch, id, "opts", selectorValue(opts))); err != nil {
		a.drop(id)
		return nil, fmt.Errorf("redis: fetchSockets: %w", err)
	}
	if err := a.wait(ctx, "fetchSockets", id, r); err != nil {
		return nil, err
	}
	return r.sockets, nil
}

func (a *ClassicAdapter) drop(id string) {
	a.mu.Lock()
	delete(a.requests, id)
	a.mu.Unlock()
}

// AllRooms returns the rooms of every server of the cluster (socket ids
// included, as the Node adapter's allRooms).
func (a *ClassicAdapter) AllRooms(ctx context.Context) ([]string, error) {
	rooms := make(map[string]struct{})
	for _, r := range a.MemoryAdapter.Rooms() {
		rooms[r] = struct{}{}
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return nil, fmt.Errorf("redis: allRooms: counting servers: %w", err)
	}
	if n > 1 {
		id, r, err := a.newRequest(reqAllRooms, n-1)
		if err != nil {
			return nil, err
		}
		r.rooms = rooms
		if err := a.publish(ctx, a.requestChannel, a.request(reqAllRooms, id)); err != nil {
			a.drop(id)
			return nil, fmt.Errorf("redis: allRooms: %w", err)
		}
		if err := a.wait(ctx, "allRooms", id, r); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(rooms))
	for r := range rooms {
		out = append(out, r)
	}
	return out, nil
}

// AddSockets implements server.Adapter (remote joins are not answered: it
// returns once published).
func (a *ClassicAdapter) AddSockets(ctx context.Context, opts server.BroadcastOptions, rooms []string) error {
	if opts.Flags.Local {
		return a.MemoryAdapter.AddSockets(ctx, opts, rooms)
	}
	_ = a.MemoryAdapter.AddSockets(ctx, opts, rooms)
	return a.publish(ctx, a.requestChannel, a.request(reqRemoteJoin, "", "opts", selectorValue(opts), "rooms", strs(rooms)))
}

// DelSockets implements server.Adapter.
func (a *ClassicAdapter) DelSockets(ctx context.Context, opts server.BroadcastOptions, rooms []string) error {
	if opts.Flags.Local {
		return a.MemoryAdapter.DelSockets(ctx, opts, rooms)
	}
	_ = a.MemoryAdapter.DelSockets(ctx, opts, rooms)
	return a.publish(ctx, a.requestChannel, a.request(reqRemoteLeave, "", "opts", selectorValue(opts), "rooms", strs(rooms)))
}

// DisconnectSockets implements server.Adapter.
func (a *ClassicAdapter) DisconnectSockets(ctx context.Context, opts server.BroadcastOptions, close bool) error {
	if opts.Flags.Local {
		return a.MemoryAdapter.DisconnectSockets(ctx, opts, close)
	}
	_ = a.MemoryAdapter.DisconnectSockets(ctx, opts, close)
	return a.publish(ctx, a.requestChannel, a.request(reqRemoteDisconnect, "", "opts", selectorValue(opts), "close", close))
}

// ServerSideEmit implements server.Adapter: the other servers'
// OnServerSideEmit handlers get the event; nobody answers.
func (a *ClassicAdapter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	data, err := eventValues(event, args)
	if err != nil {
		return err
	}
	return a.publish(ctx, a.requestChannel, a.request(reqServerSideEmit, "", "data", data))
}

// ServerSideEmitWithAck sends event to the other servers and returns the
// answer of each (the first value its handler acknowledged with). When not
// every server answers within the requests timeout (or ctx), the answers
// received are returned with an error wrapping ErrTimeout. Servers answer
// through their OnServerSideEmit handlers (Node: a listener that calls its
// callback); a server with none does not answer.
func (a *ClassicAdapter) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]server.Args, error) {
	if sio.IsReserved(event) {
		return nil, sio.ErrReservedEvent
	}
	data, err := eventValues(event, args)
	if err != nil {
		return nil, err
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return nil, fmt.Errorf("redis: serverSideEmit: counting servers: %w", err)
	}
	if n-1 <= 0 {
		return nil, nil
	}
	id, r, err := a.newRequest(reqServerSideEmit, n-1)
	if err != nil {
		return nil, err
	}
	if err := a.publish(ctx, a.requestChannel, a.request(reqServerSideEmit, id, "data", data)); err != nil {
		a.drop(id)
		return nil, fmt.Errorf("redis: serverSideEmit: %w", err)
	}
	err = a.wait(ctx, "serverSideEmit", id, r)
	a.mu.Lock()
	defer a.mu.Unlock()
	return r.responses, err
}

// OnServerSideEmit registers h for event sent by other servers with
// ServerSideEmitWithAck (or Node's serverSideEmit with a callback). Events
// sent without ack reach the namespace's OnServerSideEmit handlers only;
// those with ack reach both.
func (a *ClassicAdapter) OnServerSideEmit(event string, h ServerSideEmitHandler) {
	a.mu.Lock()
	a.sseHandlers[event] = append(a.sseHandlers[event], h)
	a.mu.Unlock()
}

// onRequest handles a request from another server (or an emitter).
func (a *ClassicAdapter) onRequest(payload []byte) error {
	req, err := decodeMessage(payload)
	if err != nil {
		return err
	}
	typ, ok := getNumber(req, "type")
	if !ok {
		return fmt.Errorf("%w: request without type", ErrMalformed)
	}
	requestID, _ := getString(req, "requestId")
	uid, _ := getString(req, "uid")
	ctx := a.ctx
	switch int(typ) {
	case reqSockets:
		if a.own(requestID) {
			return nil
		}
		v, _ := req.Get("rooms")
		rooms, err := roomList(v)
		if err != nil {
			return err
		}
		ids, _ := a.MemoryAdapter.Sockets(ctx, rooms)
		return a.respond(uid, toJSON(notepack.NewMap("requestId", requestID, "sockets", strs(ids))))
	case reqAllRooms:
		if a.own(requestID) {
			return nil
		}
		return a.respond(uid, toJSON(notepack.NewMap("requestId", requestID, "rooms", strs(a.MemoryAdapter.Rooms()))))
	case reqRemoteJoin, reqRemoteLeave, reqRemoteDisconnect:
		return a.onRemoteChange(ctx, int(typ), uid, requestID, req)
	case reqRemoteFetch:
		if a.own(requestID) {
			return nil
		}
		opts, err := requestOpts(req)
		if err != nil {
			return err
		}
		local, _ := a.MemoryAdapter.FetchSockets(ctx, opts)
		sockets := make([]any, len(local))
		for i, s := range local {
			data := &notepack.Map{}
			if len(s.Data) > 0 {
				var b []byte
				if b, err = json.Marshal(s.Data); err == nil {
					if v, err := notepack.FromJSON(b, nil); err == nil {
						data, _ = v.(*notepack.Map)
					}
				}
			}
			sockets[i] = notepack.NewMap("id", s.ID, "handshake", nodeHandshakeValue(s.Handshake), "rooms", strs(s.Rooms), "data", data)
		}
		return a.respond(uid, toJSON(notepack.NewMap("requestId", requestID, "sockets", sockets)))
	case reqServerSideEmit:
		if uid == a.uid {
			return nil
		}
		return a.onServerSideEmit(uid, requestID, req)
	case reqBroadcast:
		a.mu.Lock()
		_, own := a.ackRequests[requestID]
		a.mu.Unlock()
		if own {
			return nil
		}
		return a.onBroadcastWithAck(uid, requestID, req)
	}
	return fmt.Errorf("%w: unknown request type %v", ErrMalformed, typ)
}

// own reports whether requestID is a request of this server (which answers
// its own requests itself).
func (a *ClassicAdapter) own(requestID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.requests[requestID]
	return ok
}

func requestOpts(req *notepack.Map) (server.BroadcastOptions, error) {
	v, _ := req.Get("opts")
	om, ok := v.(*notepack.Map)
	if !ok {
		return server.BroadcastOptions{}, fmt.Errorf("%w: request without opts", ErrMalformed)
	}
	return optsFrom(om)
}

// onRemoteChange handles socketsJoin / socketsLeave / disconnectSockets, in
// both the current form (opts, no answer) and the legacy one (one socket id,
// answered).
func (a *ClassicAdapter) onRemoteChange(ctx context.Context, typ int, uid, requestID string, req *notepack.Map) error {
	if _, ok := req.Get("opts"); ok {
		opts, err := requestOpts(req)
		if err != nil {
			return err
		}
		switch typ {
		case reqRemoteJoin, reqRemoteLeave:
			v, _ := req.Get("rooms")
			rooms, err := roomList(v)
			if err != nil {
				return err
			}
			if typ == reqRemoteJoin {
				return a.MemoryAdapter.AddSockets(ctx, opts, rooms)
			}
			return a.MemoryAdapter.DelSockets(ctx, opts, rooms)
		default:
			closeConn, _ := req.Get("close")
			return a.MemoryAdapter.DisconnectSockets(ctx, opts, closeConn == true)
		}
	}
	sid, _ := getString(req, "sid")
	s, ok := a.nsp.Socket(sid)
	if !ok {
		return nil
	}
	switch typ {
	case reqRemoteJoin:
		room, _ := getString(req, "room")
		s.Join(room)
	case reqRemoteLeave:
		room, _ := getString(req, "room")
		s.Leave(room)
	default:
		closeConn, _ := req.Get("close")
		s.Disconnect(closeConn == true)
	}
	return a.respond(uid, toJSON(notepack.NewMap("requestId", requestID)))
}

// respond publishes a response to the request of server uid.
func (a *ClassicAdapter) respond(uid string, payload []byte) error {
	channel := a.responseChannel
	if a.opts.PublishOnSpecificResponseChannel {
		channel += uid + "#"
	}
	if err := a.publish(a.ctx, channel, payload); err != nil {
		return fmt.Errorf("redis: response not published (the requester will time out): %w", err)
	}
	return nil
}

// onServerSideEmit hands a serverSideEmit to the namespace's handlers and,
// when it waits for an answer, to the adapter's OnServerSideEmit handlers.
func (a *ClassicAdapter) onServerSideEmit(uid, requestID string, req *notepack.Map) error {
	v, _ := req.Get("data")
	data, ok := v.([]any)
	if !ok || len(data) == 0 {
		return fmt.Errorf("%w: serverSideEmit without [event, ...args]", ErrMalformed)
	}
	var event string
	switch x := data[0].(type) {
	case string:
		event = x
	case float64:
		event = string(toJSON(x))
	default:
		return fmt.Errorf("%w: serverSideEmit event %T", ErrMalformed, data[0])
	}
	args, err := argsOf(data[1:]...)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	a.nsp.ReceiveServerSideEmit(event, args)
	if requestID == "" {
		return nil
	}
	a.mu.Lock()
	hs := a.sseHandlers[event]
	a.mu.Unlock()
	var once sync.Once
	ack := func(reply any) error {
		var err error = errAlreadyAcked
		once.Do(func() {
			var js []byte
			js, _, err = sio.MarshalArgs(reply)
			if err != nil {
				return
			}
			var val any
			if val, err = notepack.FromJSON(js, nil); err != nil {
				return
			}
			arr, _ := val.([]any)
			var first any
			if len(arr) > 0 {
				first = arr[0]
			}
			err = a.respond(uid, toJSON(notepack.NewMap("type", float64(reqServerSideEmit), "requestId", requestID, "data", first)))
		})
		return err
	}
	for _, h := range hs {
		h(args, ack)
	}
	return nil
}

var errAlreadyAcked = errors.New("redis: serverSideEmit already acknowledged")

// onResponse handles an answer to a request (of this server or not: the
// shared response channel carries every server's).
func (a *ClassicAdapter) onResponse(payload []byte) error {
	res, err := decodeMessage(payload)
	if err != nil {
		return err
	}
	requestID, _ := getString(res, "requestId")
	if requestID == "" {
		return nil
	}
	a.mu.Lock()
	ar := a.ackRequests[requestID]
	a.mu.Unlock()
	if ar != nil {
		typ, _ := getNumber(res, "type")
		switch int(typ) {
		case reqBroadcastClientCount:
			n, ok := getNumber(res, "clientCount")
			if !ok || n < 0 || n > math.MaxInt32 {
				return fmt.Errorf("%w: client count %v", ErrMalformed, n)
			}
			ar.onCount(int(n))
		case reqBroadcastAck:
			v, _ := res.Get("packet")
			args, err := argsOf(v)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrMalformed, err)
			}
			ar.onAck(args, nil)
		}
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.requests[requestID]
	if r == nil {
		return nil
	}
	switch r.typ {
	case reqRemoteFetch:
		v, _ := res.Get("sockets")
		list, ok := v.([]any)
		if !ok {
			return nil // the Node adapter also ignores such an answer
		}
		for _, x := range list {
			if rs := a.remoteSocket(x); rs != nil {
				r.sockets = append(r.sockets, rs)
			}
		}
	case reqAllRooms:
		v, _ := res.Get("rooms")
		rooms, err := roomList(v)
		if err != nil {
			return nil
		}
		for _, room := range rooms {
			r.rooms[room] = struct{}{}
		}
	case reqServerSideEmit:
		v, _ := res.Get("data")
		args, err := argsOf(v)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		r.responses = append(r.responses, args)
	default:
		return nil
	}
	r.got++
	if r.got >= r.want {
		delete(a.requests, requestID)
		close(r.done)
	}
	return nil
}

// remoteSocket reads a socket of a fetchSockets answer.
func (a *ClassicAdapter) remoteSocket(v any) *server.RemoteSocket {
	m, ok := v.(*notepack.Map)
	if !ok {
		return nil
	}
	id, ok := getString(m, "id")
	if !ok {
		return nil
	}
	hv, _ := m.Get("handshake")
	rv, _ := m.Get("rooms")
	rooms, _ := roomList(rv)
	var data map[string]any
	if dv, ok := m.Get("data"); ok {
		_ = json.Unmarshal(toJSON(dv), &data)
	}
	return server.NewRemoteSocket(a.nsp, id, cluster.ParseNodeHandshake(toJSON(hv)), rooms, data)
}
