package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/duplexio/duplex/internal/jsonread"
	"github.com/duplexio/duplex/protocol/sio"
)

// Socket is the client side of one namespace connection (socket.io-client's
// Socket). Its state is guarded by its Manager's mutex and its handlers run
// on its Manager's loop (see the package documentation); its methods are safe
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

	urlErrReported bool // the Manager's bad URL was reported to OnConnectError

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
	switch {
	case m.state == stateOpen:
		m.queueLocked(callback{kind: cbSendConnect, s: s, conn: m.eng})
	case m.state == stateClosed && !m.reconnecting:
		m.openLocked()
	}
	m.mu.Unlock()
}

// Disconnect leaves the namespace (reason "io client disconnect"); the socket
// does not reconnect until Connect. When no other socket of the Manager is
// active, the Manager closes its connection.
func (s *Socket) Disconnect() {
	m := s.m
	m.mu.Lock()
	if s.connected {
		_ = m.sendLocked(&sio.Packet{Type: sio.Disconnect, Namespace: s.nsp})
	}
	s.active = false
	s.connectOn = nil
	s.oncloseLocked("io client disconnect")
	eng := m.destroyLocked()
	m.mu.Unlock()
	if eng != nil {
		_ = eng.Close() // after the DISCONNECT is written (engine.Conn.Close)
	}
}

// Close is Disconnect.
func (s *Socket) Close() { s.Disconnect() }

// sendConnect sends CONNECT on eng with the auth payload, merged with {pid,
// offset} for recovery. It runs on the loop (cbSendConnect); AuthFunc is
// called without the lock held.
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
	data, err := connectPayload(&s.m.enc, auth, s.pid, s.lastOffset)
	if err != nil {
		s.m.queueLocked(callback{kind: cbConnectError, s: s, err: err})
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
func connectPayload(enc *encoder, auth any, pid, offset string) (json.RawMessage, error) {
	var raw json.RawMessage
	if auth != nil {
		args, att, err := enc.args(make([]byte, 0, 32), auth)
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
	obj := map[string]any{}
	if raw != nil && !jsonread.Object(raw, func(k string, v []byte) bool {
		obj[k] = json.RawMessage(v)
		return true
	}) {
		return nil, errAuthNotObject
	}
	if _, ok := obj["pid"]; !ok {
		obj["pid"] = pid
	}
	if _, ok := obj["offset"]; !ok && offset != "" { // socket.io-client omits an undefined offset
		obj["offset"] = offset
	}
	b, _, err := enc.args(make([]byte, 0, 32), obj)
	if err != nil {
		return nil, err
	}
	return b[1 : len(b)-1], nil
}

// ---- received packets (on the loop, lock held; handlers are queued) ----

func (s *Socket) onpacketLocked(p *sio.Packet) {
	m := s.m
	switch p.Type {
	case sio.Connect:
		sid, pid := connectReply(p.Data)
		if sid == "" {
			s.active = false
			s.connectOn = nil
			m.queueLocked(callback{kind: cbConnectError, s: s, err: errors.New("client: it seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible")})
			return
		}
		s.onconnectLocked(sid, pid)
	case sio.Event, sio.BinaryEvent:
		if !s.connected {
			s.recvBuf = append(s.recvBuf, p)
			return
		}
		s.oneventLocked(p)
	case sio.Ack, sio.BinaryAck:
		s.onackLocked(p)
	case sio.Disconnect:
		s.active = false
		s.connectOn = nil
		s.destroyedLocked(func() { s.oncloseLocked("io server disconnect") })
	case sio.ConnectError:
		s.active = false
		s.connectOn = nil
		ce := parseConnectError(p.Data)
		s.destroyedLocked(func() { m.queueLocked(callback{kind: cbConnectError, s: s, err: ce}) })
	}
}

// connectReply reads the sid and pid of a CONNECT reply's data (as
// json.Unmarshal into struct{SID string `json:"sid"`; PID ...} did).
func connectReply(data []byte) (sid, pid string) {
	jsonread.Object(data, func(k string, v []byte) bool {
		switch {
		case jsonread.KeyMatches(k, "sid"):
			setString(&sid, v)
		case jsonread.KeyMatches(k, "pid"):
			setString(&pid, v)
		}
		return true
	})
	return sid, pid
}

// setString is json.Unmarshal of the JSON value v into *dst: a string sets
// it, null leaves it, another type leaves it (Unmarshal reports a type error).
func setString(dst *string, v []byte) bool {
	if jsonread.IsNull(v) {
		return true
	}
	s, ok := jsonread.Unquote(v)
	if ok {
		*dst = s
	}
	return ok
}

// parseConnectError reads a CONNECT_ERROR's data: {"message", "data"} from
// socket.io 3 and later, a bare string from older servers (as
// json.Unmarshal into struct{Message string; Data json.RawMessage} and,
// failing that, into the Message string did).
func parseConnectError(data []byte) *ConnectError {
	ce := &ConnectError{}
	var msg string
	var raw json.RawMessage
	typed := true
	if jsonread.Object(data, func(k string, v []byte) bool {
		switch {
		case jsonread.KeyMatches(k, "message"):
			typed = setString(&msg, v) && typed
		case jsonread.KeyMatches(k, "data"):
			raw = append(json.RawMessage(nil), v...)
		}
		return true
	}) && typed {
		ce.Message, ce.Data = msg, raw
	} else {
		setString(&ce.Message, bytes.Trim(data, " \t\r\n"))
	}
	return ce
}

// destroyedLocked: s is no longer active (the server ended it); report
// queues its handlers. When s was the Manager's last active socket the
// connection closes before those handlers run (as socket.io-client closes
// the engine before emitting disconnect), and the Manager's close
// ("forced close") is reported after them.
func (s *Socket) destroyedLocked(report func()) {
	m := s.m
	if !m.anyActiveLocked() && m.eng != nil {
		m.queueLocked(callback{kind: cbCloseConn, conn: m.eng})
	}
	report()
	m.destroyLocked() // its connection is closed by the cbCloseConn above
}

func (s *Socket) onconnectLocked(id, pid string) {
	m := s.m
	s.id = id
	s.recovered = pid != "" && pid == s.pid
	s.pid = pid
	s.connected = true
	s.fastLocked()
	for _, p := range s.recvBuf {
		s.oneventLocked(p)
	}
	s.recvBuf = nil
	for _, p := range s.sendBuf {
		_ = m.sendLocked(p)
	}
	s.sendBuf = nil
	if len(s.queue) > 0 {
		m.queueLocked(callback{kind: cbDrainQueue, s: s, force: true})
	}
	m.queueLocked(callback{kind: cbConnect, s: s})
}

// oncloseLocked: the namespace is disconnected for reason: pending acks fail,
// then OnDisconnect.
func (s *Socket) oncloseLocked(reason string) {
	if !s.connected {
		return
	}
	s.connected = false
	s.connectOn = nil
	s.id = ""
	s.fastLocked()
	s.clearAcksLocked()
	s.m.queueLocked(callback{kind: cbDisconnect, s: s, reason: reason})
}

// clearAcksLocked fails the acks of packets already sent (not those still buffered).
func (s *Socket) clearAcksLocked() {
	buffered := map[uint64]bool{}
	for _, p := range s.sendBuf {
		if p.HasID {
			buffered[p.ID] = true
		}
	}
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
		s.m.queueLocked(callback{kind: cbAck, ack: a.fn, err: ErrDisconnected})
	}
	if len(s.queue) > 0 {
		s.queue[0].pending = false
	}
}

func (s *Socket) oneventLocked(p *sio.Packet) {
	name, args, err := sio.ParseEvent(p)
	if err != nil {
		s.m.log.Debug("client: bad event", "err", err)
		return
	}
	if s.pid != "" && args.Len() > 0 {
		last := args.Raw(args.Len() - 1)
		if off, ok := jsonread.Unquote(last); ok {
			s.lastOffset = off
		}
	}
	e := &Event{Name: name, Args: args, socket: s, id: p.ID, hasAck: p.HasID}
	s.m.queueLocked(callback{kind: cbEvent, s: s, ev: e})
}

// takeHandlersLocked returns the handlers of event and removes the Once ones.
func (s *Socket) takeHandlersLocked(event string) []EventHandler {
	hs := s.handlers[event]
	fns := make([]EventHandler, 0, len(hs))
	kept := hs[:0:0]
	for _, h := range hs {
		fns = append(fns, h.fn)
		if !h.once {
			kept = append(kept, h)
		}
	}
	if len(kept) != len(hs) {
		s.handlers[event] = kept
	}
	return fns
}

func (s *Socket) onackLocked(p *sio.Packet) {
	if !p.HasID {
		return
	}
	a, ok := s.acks[p.ID]
	if !ok {
		return
	}
	delete(s.acks, p.ID)
	if a.timer != nil {
		a.timer.Stop()
	}
	s.m.queueLocked(callback{kind: cbAck, s: s, ack: a.fn, args: sio.ParseArgs(p)})
}
