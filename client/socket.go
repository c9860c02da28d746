package client

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// Socket is the client side of one namespace connection (socket.io-client's
// Socket). Its state is guarded by its Manager's lock; its methods are safe
// for concurrent use.
type Socket struct {
	m    *Manager
	nsp  string
	opts SocketOptions

	// guarded by m.mu
	id         string
	pid        string // private session id, when the server enables recovery
	lastOffset string
	connected  bool
	active     bool // wants to be connected: reconnects with the Manager
	recovered  bool
	connectOn  conn // the connection a CONNECT was sent on (not sent twice)
	ids        uint64
	acks       map[uint64]*pendingAck
	sendBuf    []*sio.Packet
	recvBuf    []*sio.Packet
	queue      []*queuedEmit
	queueSeq   uint64

	handlers       map[string][]*handler
	anyHandlers    []EventHandler
	onConnect      []func()
	onDisconnect   []func(string)
	onConnectError []func(error)
}

type pendingAck struct {
	fn     AckFunc
	timer  *time.Timer
	queued bool // ack of a Retries packet: re-sent after a reconnection, never failed by a disconnect
}

func newSocket(m *Manager, nsp string, opts *SocketOptions) *Socket {
	return &Socket{m: m, nsp: nsp, opts: opts.withDefaults(), acks: map[uint64]*pendingAck{}, handlers: map[string][]*handler{}}
}

// Manager returns the Manager of the socket (socket.io-client's socket.io).
func (s *Socket) Manager() *Manager { return s.m }

// Namespace returns the socket's namespace ("/", "/admin", ...).
func (s *Socket) Namespace() string { return s.nsp }

// ID returns the socket id given by the server, or "" when not connected.
func (s *Socket) ID() string {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.id
}

// Connected reports whether the namespace is connected.
func (s *Socket) Connected() bool {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.connected
}

// Active reports whether the socket wants to be connected (it reconnects by
// itself): false after Disconnect, a server disconnect or a connect error.
func (s *Socket) Active() bool {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.active
}

// Recovered reports whether the last connection recovered the previous
// session (connection state recovery: same id, missed events received).
func (s *Socket) Recovered() bool {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.recovered
}

// Connect connects the socket (after Disconnect, or with NoAutoConnect),
// opening the Manager if needed. It does not wait: see OnConnect and OnConnectError.
func (s *Socket) Connect() {
	m := s.m
	m.mu.Lock()
	if s.connected {
		m.mu.Unlock()
		return
	}
	s.active = true
	m.skipReconnect = false
	var eng conn
	switch {
	case m.state == stateOpen:
		eng = m.eng
	case m.state == stateClosed && !m.reconnecting:
		m.openLocked()
	}
	m.mu.Unlock()
	if eng != nil {
		s.sendConnect(eng)
	}
}

// Disconnect leaves the namespace (reason "io client disconnect"); the socket
// does not reconnect until Connect. When no other socket of the Manager is
// active, the Manager closes its connection.
func (s *Socket) Disconnect() {
	m := s.m
	m.mu.Lock()
	var after []func()
	if s.connected {
		_ = m.sendLocked(&sio.Packet{Type: sio.Disconnect, Namespace: s.nsp})
	}
	s.active = false
	s.connectOn = nil
	if s.connected {
		after = s.oncloseLocked("io client disconnect")
	}
	eng, more := m.destroyLocked()
	after = append(after, more...)
	m.postLocked(after...)
	m.mu.Unlock()
	if eng != nil {
		_ = eng.Close()
	}
}

// Close is Disconnect.
func (s *Socket) Close() { s.Disconnect() }

// sendConnect sends CONNECT with the auth payload (AuthFunc is called outside
// the lock), merged with {pid, offset} for recovery.
func (s *Socket) sendConnect(eng conn) {
	auth := s.opts.Auth
	if s.opts.AuthFunc != nil {
		auth = s.opts.AuthFunc()
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if !s.active || s.m.eng != eng || s.connectOn == eng {
		return
	}
	s.connectOn = eng
	data, err := connectPayload(auth, s.pid, s.lastOffset)
	if err != nil {
		s.m.postLocked(s.connectErrorHandlersLocked(err)...)
		return
	}
	_ = eng.Send((&sio.Packet{Type: sio.Connect, Namespace: s.nsp, Data: data}).Encode()...)
}

var (
	errAuthNotObject = errors.New("client: auth must encode as a JSON object")
	errAuthBinary    = errors.New("client: auth cannot hold binary data ([]byte)")
)

// connectPayload encodes auth as a JSON object; with a pid, pid and offset are
// added unless auth has those keys (socket.io-client: Object.assign({pid, offset}, auth)).
func connectPayload(auth any, pid, offset string) (json.RawMessage, error) {
	var raw json.RawMessage
	if auth != nil {
		args, att, err := sio.MarshalArgs(auth)
		if err != nil {
			return nil, err
		}
		if att != nil { // a CONNECT packet has no attachments
			return nil, errAuthBinary
		}
		raw = args[1 : len(args)-1]
		if string(raw) == "null" {
			raw = nil
		} else if raw[0] != '{' {
			return nil, errAuthNotObject
		}
	}
	if pid == "" {
		return raw, nil
	}
	obj := map[string]json.RawMessage{}
	if raw != nil {
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, err
		}
	}
	if _, ok := obj["pid"]; !ok {
		obj["pid"], _ = json.Marshal(pid)
	}
	if _, ok := obj["offset"]; !ok && offset != "" { // socket.io-client omits an undefined offset
		obj["offset"], _ = json.Marshal(offset)
	}
	b, _, err := sio.MarshalArgs(obj)
	if err != nil {
		return nil, err
	}
	return b[1 : len(b)-1], nil
}

// ---- received packets (on the loop, lock held; handlers returned) ----

func (s *Socket) onpacketLocked(p *sio.Packet) []func() {
	switch p.Type {
	case sio.Connect:
		var reply struct {
			SID string `json:"sid"`
			PID string `json:"pid"`
		}
		if p.Data != nil {
			_ = json.Unmarshal(p.Data, &reply)
		}
		if reply.SID == "" {
			s.active = false
			s.connectOn = nil
			return s.connectErrorHandlersLocked(errors.New("client: it seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible"))
		}
		return s.onconnectLocked(reply.SID, reply.PID)
	case sio.Event, sio.BinaryEvent:
		if !s.connected {
			s.recvBuf = append(s.recvBuf, p)
			return nil
		}
		return s.oneventLocked(p)
	case sio.Ack, sio.BinaryAck:
		return s.onackLocked(p)
	case sio.Disconnect:
		s.active = false
		s.connectOn = nil
		after := s.oncloseLocked("io server disconnect")
		return s.destroyedLocked(after)
	case sio.ConnectError:
		s.active = false
		s.connectOn = nil
		ce := &ConnectError{}
		var obj struct {
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		if json.Unmarshal(p.Data, &obj) == nil {
			ce.Message, ce.Data = obj.Message, obj.Data
		} else {
			_ = json.Unmarshal(p.Data, &ce.Message)
		}
		return s.destroyedLocked(s.connectErrorHandlersLocked(ce))
	}
	return nil
}

// destroyedLocked: s is no longer active; when it was the Manager's last
// active socket the connection closes, before the handlers run (as
// socket.io-client closes the engine before emitting disconnect).
func (s *Socket) destroyedLocked(handlers []func()) []func() {
	eng, more := s.m.destroyLocked()
	var after []func()
	if eng != nil {
		after = append(after, func() { _ = eng.Close() })
	}
	after = append(after, handlers...)
	return append(after, more...)
}

func (s *Socket) onconnectLocked(id, pid string) []func() {
	s.id = id
	s.recovered = pid != "" && pid == s.pid
	s.pid = pid
	s.connected = true
	var after []func()
	for _, p := range s.recvBuf {
		after = append(after, s.oneventLocked(p)...)
	}
	s.recvBuf = nil
	for _, p := range s.sendBuf {
		_ = s.m.sendLocked(p)
	}
	s.sendBuf = nil
	if len(s.queue) > 0 {
		after = append(after, func() { s.drainQueue(true) })
	}
	for _, h := range s.onConnect {
		after = append(after, h)
	}
	return after
}

// oncloseLocked: the namespace is disconnected for reason.
func (s *Socket) oncloseLocked(reason string) []func() {
	if !s.connected {
		return nil
	}
	s.connected = false
	s.connectOn = nil
	s.id = ""
	after := s.clearAcksLocked()
	for _, h := range s.onDisconnect {
		after = append(after, func() { h(reason) })
	}
	return after
}

// clearAcksLocked fails the acks of packets already sent (not those still buffered).
func (s *Socket) clearAcksLocked() []func() {
	buffered := map[uint64]bool{}
	for _, p := range s.sendBuf {
		if p.HasID {
			buffered[p.ID] = true
		}
	}
	var after []func()
	for id, a := range s.acks {
		if buffered[id] {
			continue
		}
		delete(s.acks, id)
		if a.timer != nil {
			a.timer.Stop()
		}
		if a.queued {
			continue
		}
		after = append(after, func() { a.fn(Args{}, ErrDisconnected) })
	}
	if len(s.queue) > 0 {
		s.queue[0].pending = false
	}
	return after
}

func (s *Socket) connectErrorHandlersLocked(err error) []func() {
	var after []func()
	for _, h := range s.onConnectError {
		after = append(after, func() { h(err) })
	}
	return after
}

func (s *Socket) oneventLocked(p *sio.Packet) []func() {
	name, args, err := sio.ParseEvent(p)
	if err != nil {
		s.m.log.Debug("client: bad event", "err", err)
		return nil
	}
	if s.pid != "" && args.Len() > 0 {
		last := args.Raw(args.Len() - 1)
		var off string
		if len(last) > 0 && last[0] == '"' && json.Unmarshal(last, &off) == nil {
			s.lastOffset = off
		}
	}
	e := &Event{Name: name, Args: args, socket: s, id: p.ID, hasAck: p.HasID}
	var after []func()
	for _, h := range s.anyHandlers {
		after = append(after, func() { h(e) })
	}
	hs := s.handlers[name]
	kept := hs[:0:0]
	for _, h := range hs {
		after = append(after, func() { h.fn(e) })
		if !h.once {
			kept = append(kept, h)
		}
	}
	if len(kept) != len(hs) {
		s.handlers[name] = kept
	}
	return after
}

func (s *Socket) onackLocked(p *sio.Packet) []func() {
	if !p.HasID {
		return nil
	}
	a, ok := s.acks[p.ID]
	if !ok {
		return nil
	}
	delete(s.acks, p.ID)
	if a.timer != nil {
		a.timer.Stop()
	}
	args := sio.ParseArgs(p)
	return []func(){func() { a.fn(args, nil) }}
}
