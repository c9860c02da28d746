package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server/engine"
)

// Socket is one client's connection to one namespace. Its methods are safe
// for concurrent use.
type Socket struct {
	// The fields an event's dispatch and its ack read come first, in one
	// cache line as often as the size class allows.
	nsp    *Namespace
	client *client
	// handlers is written under mu and read without it by dispatch: a list
	// never modified in place, shared between sockets (see handlerLists);
	// nil when there is none.
	handlers  atomic.Pointer[[]handlerEntry]
	connected atomic.Bool
	closing   atomic.Bool
	// hooked: OnAny handlers or event middlewares are registered (written
	// under mu); without them an event's dispatch takes no lock.
	hooked     atomic.Bool
	recovered  bool
	acksClosed bool // guarded by mu

	id     string
	pid    string
	auth   string                    // the CONNECT payload ("": none)
	hs     atomic.Pointer[Handshake] // built on the first Handshake call
	data   atomic.Pointer[Data]      // created on the first Data call
	member member                    // the MemoryAdapter's record of the socket (guarded by its lock)

	mu    sync.Mutex
	hooks *socketHooks // nil until one is registered
	acks  map[uint64]*pendingAck
}

// socketHooks are a socket's less common handlers, allocated on the first
// registration so that an idle socket without any stays small.
type socketHooks struct {
	anyHandlers []EventHandler
	outgoing    []func(event string, args []any)
	middlewares []func(e *Event, next func(error))
	onDiscing   []func(reason string)
	onDisc      []func(reason string)
	onError     []func(err error)
}

// noHooks is what hooksLocked reads for a socket without hooks; never written.
var noHooks socketHooks

// hooksLocked returns s's hooks for reading (s.mu held).
func (s *Socket) hooksLocked() *socketHooks {
	if s.hooks == nil {
		return &noHooks
	}
	return s.hooks
}

// addHooksLocked returns s's hooks for writing, allocating them (s.mu held).
func (s *Socket) addHooksLocked() *socketHooks {
	if s.hooks == nil {
		s.hooks = new(socketHooks)
	}
	return s.hooks
}

// noteHooksLocked records whether dispatch has hooks to run (s.mu held,
// after OnAny handlers or middlewares changed).
func (s *Socket) noteHooksLocked() {
	hk := s.hooksLocked()
	s.hooked.Store(len(hk.anyHandlers) > 0 || len(hk.middlewares) > 0)
}

// handlerList returns s's current handler list (not to be modified).
func (s *Socket) handlerList() []handlerEntry {
	if p := s.handlers.Load(); p != nil {
		return *p
	}
	return nil
}

// setHandlersLocked replaces s's handler list (s.mu held).
func (s *Socket) setHandlersLocked(hs []handlerEntry) {
	if hs == nil {
		s.handlers.Store(nil)
		return
	}
	s.handlers.Store(&hs)
}

func newSocket(nsp *Namespace, c *client, auth json.RawMessage) *Socket {
	return &Socket{id: newID(), nsp: nsp, client: c, auth: string(auth)}
}

// ID returns the socket's id: random, per namespace connection, not the
// Engine.IO session id. It is also the name of a room the socket is in.
func (s *Socket) ID() string { return s.id }

// Handshake returns what the client sent when it connected.
func (s *Socket) Handshake() *Handshake {
	if h := s.hs.Load(); h != nil {
		return h
	}
	var auth json.RawMessage
	if s.auth != "" {
		auth = json.RawMessage(s.auth)
	}
	s.hs.CompareAndSwap(nil, newHandshake(s.client.req, auth))
	return s.hs.Load()
}

// Data returns the socket's application value store.
func (s *Socket) Data() *Data {
	if d := s.data.Load(); d != nil {
		return d
	}
	d := new(Data)
	if _, ok := s.nsp.adapter.(SessionTracker); ok {
		d.onChange = s.trackSession
	}
	s.data.CompareAndSwap(nil, d)
	return s.data.Load()
}

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() *Namespace { return s.nsp }

// Conn returns the Engine.IO session under the socket (shared by every
// namespace of the client), as the reference's socket.conn: closing it with
// engine.ReasonForcedClose disconnects the client with reason "forced close".
// It is nil for sockets not served by an engine.Server.
func (s *Socket) Conn() *engine.Session {
	es, _ := s.client.conn.(*engine.Session)
	return es
}

// Connected reports whether the socket is connected.
func (s *Socket) Connected() bool { return s.connected.Load() }

// Recovered reports whether the socket's state (id, rooms, data, missed
// events) was restored by connection state recovery.
func (s *Socket) Recovered() bool { return s.recovered }

// On registers h for event.
func (s *Socket) On(event string, h EventHandler) { s.addHandler(event, h, false) }

// Once registers h for the next event only.
func (s *Socket) Once(event string, h EventHandler) { s.addHandler(event, h, true) }

func (s *Socket) addHandler(event string, h EventHandler, once bool) {
	s.mu.Lock()
	s.handlers.Store(s.nsp.handlerLists.extend(s.handlers.Load(), handlerEntry{event, h, once}))
	s.mu.Unlock()
}

// Off removes every handler of event.
func (s *Socket) Off(event string) {
	s.mu.Lock()
	s.setHandlersLocked(s.withoutHandlersLocked(func(h *handlerEntry) bool { return h.event == event }))
	s.mu.Unlock()
}

// OnAny registers h for every event; it runs before the event's own handlers.
func (s *Socket) OnAny(h EventHandler) {
	s.mu.Lock()
	hk := s.addHooksLocked()
	hk.anyHandlers = append(hk.anyHandlers, h)
	s.noteHooksLocked()
	s.mu.Unlock()
}

// OffAny removes every OnAny handler.
func (s *Socket) OffAny() {
	s.mu.Lock()
	if s.hooks != nil {
		s.hooks.anyHandlers = nil
	}
	s.noteHooksLocked()
	s.mu.Unlock()
}

// OnAnyOutgoing registers h, called with every event this socket emits
// (Socket.Emit and its Emitters; broadcasts are not reported).
func (s *Socket) OnAnyOutgoing(h func(event string, args []any)) {
	s.mu.Lock()
	hk := s.addHooksLocked()
	hk.outgoing = append(hk.outgoing, h)
	s.mu.Unlock()
}

// OffAnyOutgoing removes every OnAnyOutgoing handler.
func (s *Socket) OffAnyOutgoing() {
	s.mu.Lock()
	if s.hooks != nil {
		s.hooks.outgoing = nil
	}
	s.mu.Unlock()
}

// Use adds a middleware run on every incoming event before its handlers. A
// middleware calls next(nil) to go on or next(err) to drop the event: err is
// then passed to the OnError handlers (the reference emits it as an "error"
// event on the socket), or logged when there is none.
func (s *Socket) Use(mw func(e *Event, next func(error))) {
	s.mu.Lock()
	hk := s.addHooksLocked()
	hk.middlewares = append(hk.middlewares, mw)
	s.noteHooksLocked()
	s.mu.Unlock()
}

// OnError registers h for errors of the socket: event middleware refusals and
// protocol errors of its connection.
func (s *Socket) OnError(h func(err error)) {
	s.mu.Lock()
	hk := s.addHooksLocked()
	hk.onError = append(hk.onError, h)
	s.mu.Unlock()
}

// OnDisconnecting registers h, called when the socket is about to disconnect,
// while it is still in its rooms.
func (s *Socket) OnDisconnecting(h func(reason string)) {
	s.mu.Lock()
	hk := s.addHooksLocked()
	hk.onDiscing = append(hk.onDiscing, h)
	s.mu.Unlock()
}

// OnDisconnect registers h, called once the socket has disconnected with the
// reference's reason ("client namespace disconnect", "transport close", ...).
func (s *Socket) OnDisconnect(h func(reason string)) {
	s.mu.Lock()
	hk := s.addHooksLocked()
	hk.onDisc = append(hk.onDisc, h)
	s.mu.Unlock()
}

// Join adds the socket to rooms.
func (s *Socket) Join(rooms ...string) {
	if s.closing.Load() {
		return
	}
	s.nsp.adapter.AddAll(s.id, rooms)
	s.trackSession()
}

// Leave removes the socket from room.
func (s *Socket) Leave(room string) {
	s.nsp.adapter.Del(s.id, room)
	s.trackSession()
}

// Rooms returns the rooms the socket is in (its own id included).
func (s *Socket) Rooms() []string { return s.nsp.adapter.SocketRooms(s.id) }

func (s *Socket) operator() BroadcastOperator {
	return BroadcastOperator{nsp: s.nsp, except: []string{s.id}}
}

// To returns a broadcast to rooms that excludes this socket.
func (s *Socket) To(rooms ...string) BroadcastOperator { return s.operator().To(rooms...) }

// In is To.
func (s *Socket) In(rooms ...string) BroadcastOperator { return s.To(rooms...) }

// Except returns a broadcast to every socket but this one and those in rooms.
func (s *Socket) Except(rooms ...string) BroadcastOperator { return s.operator().Except(rooms...) }

// Broadcast returns a broadcast to every socket of the namespace but this one.
func (s *Socket) Broadcast() BroadcastOperator { return s.operator() }

// Disconnect disconnects the socket from its namespace (the client gets a
// DISCONNECT packet; reason "server namespace disconnect"). With close true,
// every namespace of the client is disconnected and the Engine.IO session is
// closed.
func (s *Socket) Disconnect(close bool) {
	if !s.connected.Load() {
		return
	}
	if close {
		s.client.disconnectAll()
		return
	}
	_ = s.client.send(sio.Packet{Type: sio.Disconnect, Namespace: s.nsp.name}, false, 0, nil)
	s.onClose("server namespace disconnect")
}

// onPacket handles a packet for this connected socket, on the read loop.
func (s *Socket) onPacket(p *sio.Packet) {
	switch p.Type {
	case sio.Event, sio.BinaryEvent:
		e := newEvent(s, p)
		raw, args, err := sio.SplitEvent(p, e.buf[:0])
		if err != nil {
			s.client.fail(err)
			return
		}
		e.Args = args
		s.onEvent(e, raw)
	case sio.Ack, sio.BinaryAck:
		if pa := s.takeAck(p.ID); pa != nil {
			pa.fn(sio.ParseArgs(p), nil)
		}
	case sio.Disconnect:
		s.onClose("client namespace disconnect")
	}
}

// onSplitEvent is onPacket for an EVENT that the decoder split into elems
// (the name, then the arguments; a buffer of the caller's, copied).
func (s *Socket) onSplitEvent(p *sio.Packet, elems []json.RawMessage) {
	s.onEvent(s.splitEvent(p, elems), elems[0])
}

// splitEvent returns the Event of an EVENT split into elems, with its
// arguments (copied), to dispatch with the raw name elems[0].
func (s *Socket) splitEvent(p *sio.Packet, elems []json.RawMessage) *Event {
	e := newEvent(s, p)
	var args []json.RawMessage
	if len(elems) <= len(e.buf) {
		//lint:ignore S1001 copy compiles to a typedslicecopy call here; the loop is cheaper on every event
		for i, v := range elems {
			e.buf[i] = v
		}
		args = e.buf[1:len(elems)]
	} else {
		args = slices.Clone(elems[1:])
	}
	e.Args = sio.RawArgs(args...)
	return e
}

// onEvent runs the middlewares, then dispatches e, whose name is still raw
// JSON: it becomes the registered handler's own string when one matches (no
// allocation per event).
func (s *Socket) onEvent(e *Event, rawName json.RawMessage) {
	if !s.hooked.Load() {
		// No middleware, no OnAny handler: the handlers are read without
		// the lock (a list never modified in place), unless the event has
		// a Once handler to drop.
		hs := s.handlerList()
		if name, ok := handlerName(hs, rawName); ok && !hasOnce(hs, name) {
			e.Name = name
			s.run(e, nil, hs)
			return
		}
	}
	s.onEventLocked(e, rawName)
}

// onEventLocked is onEvent's path under the socket's lock: middlewares,
// OnAny handlers, Once handlers, names that are not a plain string. (A
// function of its own: its frame is not on the stack of the usual event's
// handlers.)
//
//go:noinline
func (s *Socket) onEventLocked(e *Event, rawName json.RawMessage) {
	s.mu.Lock()
	hk := s.hooksLocked()
	mws := hk.middlewares
	anys := hk.anyHandlers
	hs := s.handlerList()
	var ok bool
	e.Name, ok = handlerName(hs, rawName)
	if !ok {
		e.Name, ok = sio.EventName(rawName)
	}
	if ok && len(mws) == 0 {
		hs = s.takeOnceLocked(e.Name)
	}
	s.mu.Unlock()
	if !ok {
		s.client.fail(fmt.Errorf("%w: event name must be a string or a number", sio.ErrInvalidPacket))
		return
	}
	if len(mws) == 0 {
		s.run(e, anys, hs)
		return
	}
	var run func(i int)
	run = func(i int) {
		if i == len(mws) {
			s.dispatch(e)
			return
		}
		var once atomic.Bool
		mws[i](e, func(err error) {
			if !once.CompareAndSwap(false, true) {
				return
			}
			if err != nil {
				s.emitError(err)
				return
			}
			run(i + 1)
		})
	}
	run(0)
}

// handlerName returns the event name of the handler in hs that rawName (a
// JSON string without escapes) names: the handler's own string.
func handlerName(hs []handlerEntry, rawName json.RawMessage) (string, bool) {
	if rawName[0] != '"' || bytes.IndexByte(rawName, '\\') >= 0 {
		return "", false // (converted once by the caller)
	}
	for i := range hs {
		if sio.EventNameIs(rawName, hs[i].event) {
			return hs[i].event, true
		}
	}
	return "", false
}

// hasOnce reports whether hs has a Once handler for event.
func hasOnce(hs []handlerEntry, event string) bool {
	for i := range hs {
		if hs[i].once && hs[i].event == event {
			return true
		}
	}
	return false
}

// dispatch runs e's handlers (after the middlewares).
func (s *Socket) dispatch(e *Event) {
	s.mu.Lock()
	anys := s.hooksLocked().anyHandlers
	hs := s.takeOnceLocked(e.Name)
	s.mu.Unlock()
	s.run(e, anys, hs)
}

// takeOnceLocked returns the handlers to run for event and drops its Once
// handlers from s.handlers (the returned snapshot keeps them for this
// dispatch).
func (s *Socket) takeOnceLocked(event string) []handlerEntry {
	hs := s.handlerList()
	if hasOnce(hs, event) {
		s.setHandlersLocked(s.withoutHandlersLocked(func(h *handlerEntry) bool { return h.once && h.event == event }))
	}
	return hs
}

// run calls the OnAny handlers, then the handlers of e's name among hs.
func (s *Socket) run(e *Event, anys []EventHandler, hs []handlerEntry) {
	if !s.connected.Load() {
		return
	}
	defer s.nsp.srv.eventHandled(s.nsp.srv.eventReceived(s, e))
	for _, h := range anys {
		h(e)
	}
	for i := range hs {
		if hs[i].event == e.Name {
			hs[i].fn(e)
		}
	}
}

// withoutHandlersLocked returns a copy of s.handlers without those drop
// selects (nil if none is left); s.handlers itself is not modified.
func (s *Socket) withoutHandlersLocked(drop func(*handlerEntry) bool) []handlerEntry {
	var keep []handlerEntry
	hs := s.handlerList()
	for i := range hs {
		if !drop(&hs[i]) {
			keep = append(keep, hs[i])
		}
	}
	return keep
}

func (s *Socket) emitError(err error) {
	s.mu.Lock()
	hs := s.hooksLocked().onError
	s.mu.Unlock()
	if len(hs) == 0 {
		s.nsp.srv.log.Debug("socket.io: socket error", "nsp", s.nsp.name, "socket", s.id, slog.Any("error", err))
	}
	for _, h := range hs {
		h(err)
	}
}

// onClose disconnects the socket with reason: handlers, recovery, cleanup.
func (s *Socket) onClose(reason string) {
	if !s.connected.Load() || !s.closing.CompareAndSwap(false, true) {
		return
	}
	s.mu.Lock()
	discing := s.hooksLocked().onDiscing
	s.mu.Unlock()
	for _, h := range discing {
		h(reason)
	}
	if s.nsp.srv.opts.ConnectionStateRecovery != nil && recoverableReasons[reason] {
		st := &SessionState{SID: s.id, PID: s.pid, Rooms: s.Rooms(), Data: s.Data()}
		if err := s.nsp.adapter.PersistSession(context.Background(), st); err != nil {
			s.nsp.srv.log.Warn("socket.io: cannot persist session", "nsp", s.nsp.name, slog.Any("error", err))
		}
	} else {
		s.forgetSession()
	}
	s.nsp.adapter.DelAll(s.id)
	s.nsp.remove(s)
	s.client.remove(s)
	s.connected.Store(false)
	s.failAcks()
	s.mu.Lock()
	disc := s.hooksLocked().onDisc
	s.mu.Unlock()
	for _, h := range disc {
		h(reason)
	}
	s.nsp.srv.socketDisconnected(s, reason)
}
