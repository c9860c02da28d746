package server

import (
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

// conn is the part of an Engine.IO session a client uses (engine.Session
// implements it; tests use a fake).
type conn interface {
	Send(pkts ...eio.Packet) error
	SendVolatile(pkts ...eio.Packet) bool
	Close(reason string)
}

// Close reasons of the Socket.IO layer (the engine's own are in server/engine).
const (
	reasonForcedServerClose = "forced server close"
	// reasonProtocolError closes a session that sent an undecodable
	// Socket.IO packet: the reference closes the Engine.IO session
	// (conn.close()), so its sockets see "forced close".
	reasonProtocolError = "forced close"
)

// client is one Engine.IO session seen by Socket.IO (the reference's Client):
// it decodes packets and routes them to the session's namespace sockets.
type client struct {
	srv  *Server
	conn conn
	req  *requestInfo
	dec  sio.Decoder // read loop only

	// Few namespaces per session (mostly one): one socket, or a slice
	// searched by name (not a map).
	mu sync.Mutex
	// one is the connected socket while there is exactly one and the client
	// is open (then sockets is nil): written under mu, read without it by
	// an event's dispatch (decodeEvent).
	one     atomic.Pointer[Socket]
	sockets []*Socket     // the connected sockets otherwise, one per namespace (nil: none)
	pending []pendingConn // namespaces whose connection is in progress
	closed  bool
	timer   *time.Timer // the connect timeout; nil once a namespace is joined or the client closed
}

// pendingConn is a namespace connection in progress; s is nil until the
// socket exists.
type pendingConn struct {
	name string
	s    *Socket
}

// socketLocked returns the connected socket of namespace name, or nil.
func (c *client) socketLocked(name string) *Socket {
	if s := c.one.Load(); s != nil {
		if s.nsp.name == name {
			return s
		}
		return nil
	}
	for _, s := range c.sockets {
		if s.nsp.name == name {
			return s
		}
	}
	return nil
}

// pendingLocked returns the index of namespace name in c.pending, or -1.
func (c *client) pendingLocked(name string) int {
	return slices.IndexFunc(c.pending, func(p pendingConn) bool { return p.name == name })
}

// donePendingLocked forgets the connection in progress to namespace name.
func (c *client) donePendingLocked(name string) {
	if i := c.pendingLocked(name); i >= 0 {
		c.pending = slices.Delete(c.pending, i, i+1)
	}
	if len(c.pending) == 0 {
		c.pending = nil
	}
}

func (srv *Server) newClient(cn conn, req *requestInfo) *client {
	c := &client{srv: srv, conn: cn, req: req}
	c.dec.MaxAttachments = srv.opts.MaxAttachments
	c.timer = time.AfterFunc(srv.opts.ConnectTimeout, c.onConnectTimeout) // before c is shared: no lock
	return c
}

// stopTimerLocked stops and drops the connect timeout (an idle connection
// does not keep it).
func (c *client) stopTimerLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

func (c *client) onConnectTimeout() {
	c.mu.Lock()
	idle := !c.closed && c.one.Load() == nil && len(c.sockets) == 0
	c.mu.Unlock()
	if idle {
		c.srv.log.Debug("socket.io: no namespace joined before the connect timeout")
		c.close(reasonForcedServerClose)
	}
}

// OnMessage implements engine.Handler: one Engine.IO message, on the read loop.
// A connected socket's event is dispatched once decodeEvent returned it:
// the decoder's frames are off the stack by then, and the handlers run on
// a shallower stack (a busy session's reader touches fewer cache lines of
// its own stack per event).
func (c *client) OnMessage(m eio.Packet) {
	if s, e, name := c.decodeEvent(m); e != nil {
		s.onEvent(e, name)
	}
}

// decodeEvent decodes m. An EVENT of a connected socket comes back as its
// Event (nil: none) with the socket and the event's raw name; any other
// packet is handled here. An EVENT is checked and split in one pass, its
// values in buf (on the stack: the Event copies them).
//
//go:noinline
func (c *client) decodeEvent(m eio.Packet) (*Socket, *Event, json.RawMessage) {
	var buf [eventBufLen]json.RawMessage
	p, elems, ok, err := c.dec.DecodeSplit(m, buf[:0])
	if err != nil {
		c.fail(err)
		return nil, nil, nil
	}
	if !ok {
		return nil, nil, nil
	}
	if elems != nil && p.Type != sio.Connect && p.Type != sio.ConnectError {
		// The usual session has one namespace: its socket, without the lock.
		if s := c.one.Load(); s != nil && s.nsp.name == p.NS() {
			return s, s.splitEvent(&p, elems), elems[0]
		}
		c.mu.Lock()
		s, closed := c.socketLocked(p.NS()), c.closed
		c.mu.Unlock()
		if s != nil && !closed {
			return s, s.splitEvent(&p, elems), elems[0]
		}
	}
	c.onPacket(&p, elems)
	return nil, nil, nil
}

// onPacket routes p to its namespace's socket; elems are the values of an
// EVENT split by the decoder (nil: not split).
func (c *client) onPacket(p *sio.Packet, elems []json.RawMessage) {
	name := p.NS()
	c.mu.Lock()
	s, closed := c.socketLocked(name), c.closed
	pending := c.pendingLocked(name) >= 0
	c.mu.Unlock()
	switch {
	case closed:
	case s == nil && !pending && p.Type == sio.Connect:
		c.connect(name, p.Data)
	case s != nil && p.Type != sio.Connect && p.Type != sio.ConnectError:
		if elems != nil {
			s.onSplitEvent(p, elems)
			return
		}
		s.onPacket(p)
	default:
		// A packet for a namespace not joined, a second CONNECT, or a
		// CONNECT_ERROR from the client: the reference closes.
		c.srv.log.Debug("socket.io: invalid state, closing", "nsp", name, "type", p.Type.String())
		c.close(reasonForcedServerClose)
	}
}

func (c *client) connect(name string, auth json.RawMessage) {
	nsp := c.srv.namespaceFor(name, auth)
	if nsp == nil {
		c.connectError(name, &ConnectError{Message: "Invalid namespace"})
		return
	}
	c.mu.Lock()
	if c.pendingLocked(name) < 0 { // present when a removed child namespace retries
		c.pending = append(c.pending, pendingConn{name: name})
	}
	c.mu.Unlock()
	nsp.connect(c, auth)
}

// connecting records s, whose middlewares run; false if the client closed
// meanwhile.
func (c *client) connecting(s *Socket) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if i := c.pendingLocked(s.nsp.name); i >= 0 {
		c.pending[i].s = s
	} else {
		c.pending = append(c.pending, pendingConn{s.nsp.name, s})
	}
	return true
}

func (c *client) connectError(name string, err error) {
	_ = c.send(sio.Packet{Type: sio.ConnectError, Namespace: name, Data: connectErrorData(err)}, false, 0, nil)
}

// connectDone ends a refused connection attempt.
func (c *client) connectDone(name string) {
	c.mu.Lock()
	c.donePendingLocked(name)
	c.mu.Unlock()
}

// attach records the connected socket s; false if the client closed meanwhile.
func (c *client) attach(s *Socket) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.donePendingLocked(s.nsp.name)
	if c.closed {
		return false
	}
	if one := c.one.Load(); (one == nil && c.sockets == nil) || (one != nil && one.nsp.name == s.nsp.name) {
		c.one.Store(s) // the usual case, no slice
	} else {
		all := slices.DeleteFunc(c.socketsLocked(), func(o *Socket) bool { return o.nsp.name == s.nsp.name })
		c.setSocketsLocked(append(all, s))
	}
	s.connected.Store(true)
	c.stopTimerLocked()
	return true
}

func (c *client) remove(s *Socket) {
	c.mu.Lock()
	if c.one.Load() == s {
		c.one.Store(nil)
	} else if slices.Contains(c.sockets, s) {
		c.setSocketsLocked(slices.DeleteFunc(c.sockets, func(o *Socket) bool { return o == s }))
	}
	c.mu.Unlock()
}

// socketsLocked returns the connected sockets (c.mu held): a slice the
// caller may modify (a new one for a single socket, else c.sockets).
func (c *client) socketsLocked() []*Socket {
	if s := c.one.Load(); s != nil {
		return []*Socket{s}
	}
	return c.sockets
}

// setSocketsLocked records all as the connected sockets (c.mu held): a
// single one of an open client goes to c.one.
func (c *client) setSocketsLocked(all []*Socket) {
	if len(all) == 1 && !c.closed {
		c.one.Store(all[0])
		c.sockets = nil
		return
	}
	c.one.Store(nil)
	if len(all) == 0 {
		all = nil
	}
	c.sockets = all
}

func (c *client) snapshot() []*Socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.socketsLocked())
}

// fail handles a protocol error: the sockets get it as an error (OnError),
// then the session is closed with reason "forced close", as the reference.
func (c *client) fail(err error) {
	c.srv.log.Debug("socket.io: invalid packet, closing", slog.Any("error", err))
	for _, s := range c.snapshot() {
		s.emitError(err)
	}
	c.close(reasonProtocolError)
}

// disconnectAll disconnects every namespace, then closes the session
// (Socket.Disconnect(true)).
func (c *client) disconnectAll() {
	for _, s := range c.snapshot() {
		s.Disconnect(false)
	}
	c.close(reasonForcedServerClose)
}

// close closes the session and, as the reference, disconnects the sockets
// with reason right away (the engine may take a while to flush and close a
// polling session).
func (c *client) close(reason string) {
	c.conn.Close(reason)
	c.OnClose(reason, nil)
}

// OnClose implements engine.Handler: the session is closed; every socket
// disconnects with reason.
func (c *client) OnClose(reason string, _ error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.setSocketsLocked(c.socketsLocked()) // none in c.one once closed
	c.stopTimerLocked()
	var pending []*Socket
	for _, p := range c.pending {
		if p.s != nil {
			pending = append(pending, p.s)
		}
	}
	c.pending = nil
	c.mu.Unlock()
	// Sockets still in their middlewares never connected: forget them (a
	// middleware that calls next later finds the client closed).
	for _, s := range pending {
		s.nsp.adapter.DelAll(s.id)
		s.nsp.remove(s)
	}
	for _, s := range c.snapshot() {
		s.onClose(reason)
	}
}
