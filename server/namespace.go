package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// Namespace is a communication channel that splits the application's logic
// over a single shared connection ("/", "/chat", ...). Its methods are safe for
// concurrent use.
type Namespace struct {
	name    string
	srv     *Server
	adapter Adapter
	parent  *ParentNamespace
	ids     atomic.Uint64

	mu           sync.RWMutex
	sockets      map[string]*Socket // connected
	pre          map[string]*Socket // running the middlewares
	middlewares  []func(s *Socket, next func(error))
	onConnection []func(s *Socket)
	serverSide   map[string][]func(args Args)
	removed      bool // a child removed by CleanupEmptyChildNamespaces

	handlerLists handlerLists // the sockets' On and Once lists, shared
}

func newNamespace(srv *Server, name string, parent *ParentNamespace) *Namespace {
	n := &Namespace{
		name:    name,
		srv:     srv,
		parent:  parent,
		sockets: make(map[string]*Socket),
		pre:     make(map[string]*Socket),
	}
	n.adapter = srv.opts.Adapter(n)
	return n
}

// Name returns the namespace's name ("/", "/chat").
func (n *Namespace) Name() string { return n.name }

// Adapter returns the namespace's adapter.
func (n *Namespace) Adapter() Adapter { return n.adapter }

// Server returns the server the namespace belongs to.
func (n *Namespace) Server() *Server { return n.srv }

// Use adds a middleware run for every socket that connects to the namespace,
// before its connection handlers. The middleware calls next(nil) to accept
// the socket or next(err) to refuse it: the client gets a CONNECT_ERROR with
// err's message (and data, for a *ConnectError). next may be called from
// another goroutine, later.
func (n *Namespace) Use(mw func(s *Socket, next func(error))) {
	n.mu.Lock()
	n.middlewares = append(n.middlewares, mw)
	n.mu.Unlock()
}

// OnConnection registers h, called for every socket that connects to the
// namespace, after the client got the CONNECT reply.
func (n *Namespace) OnConnection(h func(s *Socket)) {
	n.mu.Lock()
	n.onConnection = append(n.onConnection, h)
	n.mu.Unlock()
}

// Sockets returns this server's connected sockets of the namespace.
func (n *Namespace) Sockets() []*Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]*Socket, 0, len(n.sockets))
	for _, s := range n.sockets {
		out = append(out, s)
	}
	return out
}

// Socket returns the connected socket id of this server, if any.
func (n *Namespace) Socket(id string) (*Socket, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	s, ok := n.sockets[id]
	return s, ok
}

// lookup returns socket id, connected or still running the middlewares.
func (n *Namespace) lookup(id string) *Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if s := n.sockets[id]; s != nil {
		return s
	}
	return n.pre[id]
}

func (n *Namespace) remove(s *Socket) {
	n.mu.Lock()
	if n.sockets[s.id] == s {
		delete(n.sockets, s.id)
	}
	if n.pre[s.id] == s {
		delete(n.pre, s.id)
	}
	empty := len(n.sockets) == 0 && len(n.pre) == 0
	if empty {
		// Go maps never shrink: start small again once everyone left.
		n.sockets, n.pre = make(map[string]*Socket), make(map[string]*Socket)
	}
	n.mu.Unlock()
	if empty {
		n.handlerLists.forget()
	}
	if empty && n.parent != nil && n.srv.opts.CleanupEmptyChildNamespaces {
		n.srv.removeChild(n)
	}
}

func (n *Namespace) nextAckID() uint64 { return n.ids.Add(1) - 1 }

// Broadcasting, as the reference's Namespace methods.

func (n *Namespace) operator() BroadcastOperator { return BroadcastOperator{nsp: n} }

// To returns a broadcast to the sockets in rooms.
func (n *Namespace) To(rooms ...string) BroadcastOperator { return n.operator().To(rooms...) }

// In is To.
func (n *Namespace) In(rooms ...string) BroadcastOperator { return n.operator().To(rooms...) }

// Except returns a broadcast to every socket not in rooms.
func (n *Namespace) Except(rooms ...string) BroadcastOperator { return n.operator().Except(rooms...) }

// Local returns a broadcast to this server's sockets only.
func (n *Namespace) Local() BroadcastOperator { return n.operator().Local() }

// Volatile returns a volatile broadcast.
func (n *Namespace) Volatile() BroadcastOperator { return n.operator().Volatile() }

// Compress returns a broadcast with the (advisory) compress flag.
func (n *Namespace) Compress(c bool) BroadcastOperator { return n.operator().Compress(c) }

// Timeout returns a broadcast whose acks are awaited at most d.
func (n *Namespace) Timeout(d time.Duration) BroadcastOperator { return n.operator().Timeout(d) }

// Emit emits event to every socket of the namespace.
func (n *Namespace) Emit(event string, args ...any) error { return n.operator().Emit(event, args...) }

// EmitWithAck emits event to every socket and collects their replies.
func (n *Namespace) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	return n.operator().EmitWithAck(ctx, event, args...)
}

// FetchSockets returns every socket of the namespace.
func (n *Namespace) FetchSockets(ctx context.Context) ([]*RemoteSocket, error) {
	return n.operator().FetchSockets(ctx)
}

// SocketsJoin makes every socket join rooms.
func (n *Namespace) SocketsJoin(rooms ...string) error { return n.operator().SocketsJoin(rooms...) }

// SocketsLeave makes every socket leave rooms.
func (n *Namespace) SocketsLeave(rooms ...string) error { return n.operator().SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket.
func (n *Namespace) DisconnectSockets(close bool) error { return n.operator().DisconnectSockets(close) }

// ServerSideEmit emits event to the other servers of the cluster (through the
// adapter; nothing with the in-memory adapter).
func (n *Namespace) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	if sio.IsReserved(event) {
		return sio.ErrReservedEvent
	}
	return n.srv.stats.adapterCall(opServerSideEmit, n.adapter.ServerSideEmit(ctx, event, args...))
}

// OnServerSideEmit registers h for the events other servers of the cluster
// send with ServerSideEmit.
func (n *Namespace) OnServerSideEmit(event string, h func(args Args)) {
	n.mu.Lock()
	if n.serverSide == nil {
		n.serverSide = make(map[string][]func(Args))
	}
	n.serverSide[event] = append(n.serverSide[event], h)
	n.mu.Unlock()
}

// ReceiveServerSideEmit delivers an event sent by another server to the
// OnServerSideEmit handlers (for Adapter implementations).
func (n *Namespace) ReceiveServerSideEmit(event string, args Args) {
	n.mu.RLock()
	hs := n.serverSide[event]
	n.mu.RUnlock()
	for _, h := range hs {
		h(args)
	}
}

// Connection.

// connect runs the connection of client c to the namespace with the CONNECT
// payload auth. It runs on c's read loop; it completes there when the
// middlewares call next synchronously.
func (n *Namespace) connect(c *client, auth json.RawMessage) {
	s := newSocket(n, c, auth)
	var missed []*sio.Packet
	var rooms []string
	rec := n.srv.opts.ConnectionStateRecovery
	if rec != nil {
		if pid, offset, ok := recoveryAuth(auth); ok {
			n.srv.stats.recoveryAttempts.Add(1)
			st, err := n.adapter.RestoreSession(context.Background(), pid, offset)
			if err != nil {
				n.srv.log.Warn("socket.io: cannot restore session", "nsp", n.name, slog.Any("error", err))
			}
			if st != nil {
				n.srv.stats.recoveryOK.Add(1)
				s.id, s.pid, s.recovered = st.SID, st.PID, true
				if st.Data != nil {
					if _, ok := n.adapter.(SessionTracker); ok {
						st.Data.onChange = s.trackSession
					}
					s.data.Store(st.Data)
				}
				rooms, missed = st.Rooms, st.MissedPackets
			}
		}
		if s.pid == "" {
			s.pid = newID()
		}
	}
	n.mu.Lock()
	if n.removed {
		// Cleaned up since the client looked it up: connect to the namespace
		// of that name now (a new child, if a parent still matches).
		n.mu.Unlock()
		c.connect(n.name, auth)
		return
	}
	n.pre[s.id] = s
	mws := n.middlewares // appended to under n.mu only: this snapshot stays as it is
	n.mu.Unlock()
	if !c.connecting(s) {
		n.remove(s)
		return
	}
	if len(rooms) > 0 {
		n.adapter.AddAll(s.id, rooms)
	}
	if n.parent != nil {
		mws = append(n.parent.middlewareList(), mws...)
	}
	if s.recovered && !rec.KeepMiddlewares {
		mws = nil
	}
	if len(mws) == 0 {
		n.finishConnect(s, missed, nil)
		return
	}
	var run func(i int)
	run = func(i int) {
		if i == len(mws) {
			n.finishConnect(s, missed, nil)
			return
		}
		var once atomic.Bool
		mws[i](s, func(err error) {
			if !once.CompareAndSwap(false, true) {
				return
			}
			if err != nil {
				n.finishConnect(s, nil, err)
				return
			}
			run(i + 1)
		})
	}
	run(0)
}

func recoveryAuth(auth json.RawMessage) (pid, offset string, ok bool) {
	var a struct {
		PID    any `json:"pid"`
		Offset any `json:"offset"`
	}
	if json.Unmarshal(auth, &a) != nil {
		return "", "", false
	}
	pid, ok1 := a.PID.(string)
	offset, ok2 := a.Offset.(string)
	return pid, offset, ok1 && ok2
}

// finishConnect accepts s (err nil) or refuses it.
func (n *Namespace) finishConnect(s *Socket, missed []*sio.Packet, err error) {
	c := s.client
	if err != nil {
		n.srv.stats.connectRefused.Add(1)
		n.adapter.DelAll(s.id)
		n.remove(s)
		c.connectDone(n.name)
		c.connectError(n.name, err)
		return
	}
	if ma, ok := n.adapter.(*MemoryAdapter); ok {
		ma.addOwn(s)
	} else {
		n.adapter.AddAll(s.id, []string{s.id})
	}
	n.mu.Lock()
	delete(n.pre, s.id)
	n.sockets[s.id] = s
	n.mu.Unlock()
	if !c.attach(s) {
		n.adapter.DelAll(s.id)
		n.remove(s)
		return
	}
	for _, p := range missed {
		_ = c.send(*p, false, 0, nil)
	}
	reply := sio.Packet{Type: sio.Connect, Namespace: n.name}
	_ = c.send(reply, false, len(`{"sid":"","pid":""}`)+len(s.id)+len(s.pid), func(b []byte) ([]byte, [][]byte, error) {
		return appendConnectReply(b, s.id, s.pid), nil, nil
	})
	s.trackSession()
	var hs []func(*Socket)
	if n.parent != nil {
		hs = n.parent.connectionHandlers()
	}
	n.mu.RLock()
	if hs == nil {
		hs = n.onConnection // appended to under n.mu only: this snapshot stays as it is
	} else {
		hs = append(hs, n.onConnection...)
	}
	n.mu.RUnlock()
	n.srv.socketConnected(s)
	for _, h := range hs {
		h(s)
	}
}

// connectReply returns the text of the CONNECT reply of namespace nsp, in one
// allocation.
func appendConnectReply(b []byte, sid, pid string) []byte {
	b = append(b, `{"sid":`...)
	b = appendJSONString(b, sid)
	if pid != "" {
		b = append(b, `,"pid":`...)
		b = appendJSONString(b, pid)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string (ids are plain ASCII: they are
// copied as they are; anything else goes through encoding/json).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// connectErrorData is the payload of a CONNECT_ERROR for err.
func connectErrorData(err error) json.RawMessage {
	type payload struct {
		Message string `json:"message"`
		Data    any    `json:"data,omitempty"`
	}
	p := payload{Message: err.Error()}
	var ce *ConnectError
	if errors.As(err, &ce) {
		p.Message, p.Data = ce.Message, ce.Data
	}
	b, mErr := marshalNoEscape(p)
	if mErr != nil {
		b, _ = marshalNoEscape(payload{Message: p.Message})
	}
	return b
}
