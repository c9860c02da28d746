package client

import (
	"encoding/json"
	"strconv"
	"sync/atomic"

	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/sio"
)

// Args are the raw arguments of an event or an ack: JSON until decoded.
type Args = sio.Args

// Event is one received event.
type Event struct {
	Name string
	Args Args

	socket *Socket
	id     uint64
	hasAck bool
	acked  atomic.Bool
}

// EventHandler handles a received event.
type EventHandler func(e *Event)

// AckFunc receives the arguments of an ack, or an error (ErrTimeout,
// ErrDisconnected). Passed as the last argument of Emit, it requests an ack.
type AckFunc func(args Args, err error)

type handler struct {
	fn   EventHandler
	once bool
}

// Socket returns the socket the event arrived on.
func (e *Event) Socket() *Socket { return e.socket }

// Decode decodes the arguments positionally into the pointers v (fewer pointers than arguments is fine).
// In the browser a string argument without escapes shares the event's bytes
// (sharedString): the raw arguments (Args) must not be modified.
func (e *Event) Decode(v ...any) error {
	for i, p := range v {
		if sp, ok := p.(*string); ok && browser {
			var raw json.RawMessage
			if e.Args.Decode(i, &raw) == nil {
				if s, ok := sharedString(raw); ok {
					*sp = s
					continue
				}
			}
		}
		if err := e.Args.Decode(i, p); err != nil {
			return wrap.New("client: event "+strconv.Quote(e.Name)+": "+err.Error(), err)
		}
	}
	return nil
}

// HasAck reports whether the sender asked for an ack.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack answers the event with args, at most once.
func (e *Event) Ack(args ...any) error {
	if !e.hasAck {
		return ErrNoAck
	}
	if e.acked.Swap(true) {
		return ErrAlreadyAcked
	}
	p, err := newAck(&e.socket.m.enc, e.socket.nsp, e.id, args)
	if err != nil {
		return err
	}
	s := e.socket
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if !s.connected {
		return ErrNotConnected
	}
	return s.m.sendLocked(&p)
}

// On adds a handler for event.
func (s *Socket) On(event string, h EventHandler) { s.addHandler(event, h, false) }

// Once adds a handler called for the next event only.
func (s *Socket) Once(event string, h EventHandler) { s.addHandler(event, h, true) }

func (s *Socket) addHandler(event string, h EventHandler, once bool) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.handlers[event] = append(s.handlers[event], &handler{fn: h, once: once})
}

// Off removes every handler of event.
func (s *Socket) Off(event string) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	delete(s.handlers, event)
}

// OnAny adds a handler called for every event, before the event's own handlers.
func (s *Socket) OnAny(h EventHandler) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.anyHandlers = append(s.anyHandlers, h)
}

// OffAny removes every OnAny handler.
func (s *Socket) OffAny() {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.anyHandlers = nil
}

// OnConnect adds a handler called each time the namespace is connected.
func (s *Socket) OnConnect(h func()) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.onConnect = append(s.onConnect, h)
}

// OnDisconnect adds a handler called with the reason when the namespace is
// disconnected: "io server disconnect", "io client disconnect", "ping
// timeout", "transport close", "transport error", "parse error", "forced close".
func (s *Socket) OnDisconnect(h func(reason string)) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.onDisconnect = append(s.onDisconnect, h)
}

// OnConnectError adds a handler called when connecting fails: a
// *ConnectError when the server refused the namespace (the socket then stays
// disconnected), or a connection error (the Manager retries).
func (s *Socket) OnConnectError(h func(err error)) {
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	s.onConnectError = append(s.onConnectError, h)
	if m.urlErr != nil && s.urlErrReported {
		// The bad URL is a lasting state: a handler added after its report
		// (Connect could not return it) hears it too.
		m.queueLocked(callback{kind: cbConnectError, s: s, err: m.urlErr, h: h})
	}
}

// On adds a typed handler for event: the first argument is decoded into a T
// (a decode error is logged and the handler not called).
func On[T any](s *Socket, event string, h func(e *Event, v T)) {
	s.On(event, func(e *Event) {
		var v T
		if e.Args.Len() > 0 {
			if err := e.Args.Decode(0, &v); err != nil {
				s.m.log.Error("client: cannot decode event argument", "event", event, "err", err)
				return
			}
		}
		h(e, v)
	})
}
