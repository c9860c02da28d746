package engine

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// Handler receives a session's messages. The engine answers pings, probes and
// upgrades itself; only message packets reach OnMessage. Calls are made in
// order, never concurrently, from the goroutine that reads the transport
// (websocket reader, or the POST request's goroutine). p.Data stays valid
// after the call returns (the engine never reuses it), so the handler may keep
// it.
type Handler interface {
	OnMessage(p eio.Packet)
	OnClose(reason string, err error) // exactly once; no OnMessage after it
}

type state uint8

const (
	stateOpen    state = iota
	stateClosing       // flushing what is queued before closing
	stateClosed
)

// Session is one Engine.IO session (one client connection). Its methods are
// safe for concurrent use.
type Session struct {
	// The fields a busy websocket session's message and reply use come
	// first, in the Session's first two cache lines (its size class is a
	// multiple of 64 bytes): a round trip of one of many sessions finds them
	// out of the cache, one miss per line.
	srv     *Server
	handler Handler

	mu        sync.Mutex
	state     state
	websocket bool // current transport
	b64       bool // the client wants binary as "b"+base64 text
	// OnMessage is running. Calls are never concurrent: a deliver that finds
	// one running (a POST's and the websocket reader's, around an upgrade)
	// waits for dispatchDone, made by the first waiter and closed when the
	// call ends. (No mutex of its own: one Lock and Unlock less per message.)
	dispatching bool
	// A kick while dispatching (in its first inlineWindow, from dispatchSince
	// on) is left to the reader, which writes the queue after the handler.
	kickPending   bool
	notified      bool // OnClose was called (or is being called)
	flushing      bool // websocket: a flush (goroutine, or inline) is running
	connClosing   bool // websocket: the flush goroutine closed (or is closing) conn
	awaitingPong  bool // heartbeat (below)
	pongRefreshed bool
	dispatchSince time.Duration
	conn          *wsConn // websocket

	queue        []eio.Packet
	queuedBytes  int64 // data sent and not yet written (queue and the flush in progress)
	dispatchDone chan struct{}

	id     string
	info   *RequestInfo
	ctx    context.Context    // nil until Context is called; guarded by mu
	cancel context.CancelFunc // guarded by mu

	peerClosed bool // the client closed a polling session: a pending GET gets a noop
	reason     string
	err        error

	// Heartbeat: one timer, due at hbDue (server-relative time); it sends a
	// ping, or closes the session when a pong is awaited (awaitingPong,
	// pongRefreshed above).
	hb    *time.Timer
	hbDue time.Duration

	// Polling.
	poll       chan struct{} // wakes the pending GET
	parkedGet  *fastConn     // the pending GET's connection, when Server.Serve's and parked in a read
	getActive  bool
	pollYield  bool // the GET was woken by a send not from the session's own handler (servePoll)
	postActive bool
	postW      http.ResponseWriter // of the POST in progress: abortPostLocked ends its body read
	postConn   net.Conn            // the same, of a POST served by Server.Serve
	closeTimer *time.Timer         // bounds a graceful close waiting for a GET

	// Upgrade.
	upgrading    bool // a websocket for this session is being accepted or probed
	noopDue      bool
	probe        *wsConn
	upgradeTimer *time.Timer
	// From "3probe" on, a check every upgradeCheckInterval answers the GET
	// pending then with a noop (noopDue), so the client can pause polling.
	upgradeCheck *time.Timer
}

// ID returns the Engine.IO session id. It is a credential: never show it to
// other peers.
func (s *Session) ID() string { return s.id }

// Transport returns "polling" or "websocket" (it changes on upgrade).
func (s *Session) Transport() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.websocket {
		return TransportWebsocket
	}
	return TransportPolling
}

// Request returns what the handshake request carried.
func (s *Session) Request() *RequestInfo { return s.info }

// SetHandler sets the handler of the session's packets. Call it from
// Options.OnSession.
func (s *Session) SetHandler(h Handler) { s.handler = h }

// Context returns a context that is done when the session is closed. It is
// created on the first call (most sessions never need one).
func (s *Session) Context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		if s.state == stateClosed {
			s.cancel()
		}
	}
	return s.ctx
}

// Send queues packets, in order and atomically (a Socket.IO packet and its
// attachments are never split by another sender's packets), without
// blocking. The Data slices are not modified or retained beyond the write, so
// the same []eio.Packet may be sent to many sessions. It returns ErrClosed if
// the session is closed or closing, ErrQueueFull (and closes the session) if
// the queue is over its bound.
func (s *Session) Send(pkts ...eio.Packet) error {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return ErrClosed
	}
	n := dataLen(pkts)
	if len(s.queue)+len(pkts) > s.srv.opts.MaxQueuedPackets || s.overBytesLocked(n) {
		s.mu.Unlock()
		s.kill(ReasonTransportError, ErrQueueFull)
		return ErrQueueFull
	}
	s.queuedBytes += n
	s.queue = append(s.queue, pkts...)
	s.noteSenderLocked()
	s.wakeLocked()
	s.mu.Unlock()
	s.srv.stats.sent(pkts)
	return nil
}

// noteSenderLocked records, for a polling GET about to be woken, whether the
// packets come from elsewhere than the session's own handler (servePoll
// then yields once before it answers).
func (s *Session) noteSenderLocked() {
	if !s.websocket && s.getActive && !s.dispatching {
		s.pollYield = true
	}
}

// SendVolatile is Send for packets that may be lost: they are dropped (false
// returned) when the transport is not ready to write now (polling with no
// pending GET, a websocket with a write in progress, an upgrade in progress)
// or the queue is not empty.
func (s *Session) SendVolatile(pkts ...eio.Packet) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ready := s.state == stateOpen && len(s.queue) == 0 && !s.upgrading &&
		len(pkts) <= s.srv.opts.MaxQueuedPackets
	if s.websocket {
		ready = ready && s.conn != nil && !s.flushing
	} else {
		ready = ready && s.getActive
	}
	n := dataLen(pkts)
	if !ready || s.overBytesLocked(n) {
		s.srv.stats.dropped()
		return false
	}
	s.queuedBytes += n
	s.queue = append(s.queue, pkts...)
	s.noteSenderLocked()
	s.wakeLocked()
	s.srv.stats.sent(pkts)
	return true
}

// dataLen returns the size of the packets' data.
func dataLen(pkts []eio.Packet) int64 {
	var n int64
	for i := range pkts {
		n += int64(len(pkts[i].Data))
	}
	return n
}

// overBytesLocked reports whether n more bytes of data take the session over
// Options.MaxQueuedBytes (never when nothing is unwritten).
func (s *Session) overBytesLocked(n int64) bool {
	limit := s.srv.opts.MaxQueuedBytes
	return limit > 0 && s.queuedBytes > 0 && s.queuedBytes+n > limit
}

// wroteLocked records that n bytes of sent data were written (or dropped).
func (s *Session) wroteLocked(n int64) {
	s.queuedBytes = max(0, s.queuedBytes-n)
}

// Close flushes what is queued (best effort, bounded) and closes the session;
// the Handler's OnClose gets reason (use the Reason* constants;
// ReasonForcedClose when the application closes it).
func (s *Session) Close(reason string) {
	s.closeGracefully(reason, false)
}

// wakeLocked tells the transport that packets are queued.
func (s *Session) wakeLocked() {
	if s.websocket {
		s.kickLocked()
		return
	}
	s.signalPollLocked()
}

// signalPollLocked wakes the pending GET, if any.
func (s *Session) signalPollLocked() {
	if c := s.parkedGet; c != nil {
		// Cut its read short (under mu: the GET sets no deadline of its
		// own while it is parked, so this one is not overwritten).
		s.parkedGet = nil
		_ = c.conn.SetReadDeadline(aLongTimeAgo)
		return
	}
	if s.poll == nil {
		return
	}
	select {
	case s.poll <- struct{}{}:
	default:
	}
}

// closeGracefully closes the session after writing what is queued: over
// WebSocket the flush goroutine writes the queue and closes the connection;
// over polling the pending (or next) GET carries the queue and a close packet.
func (s *Session) closeGracefully(reason string, shutdown bool) {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.state = stateClosing
	s.reason = reason
	if s.hb != nil {
		s.hb.Stop()
	}
	probe := s.abortUpgradeLocked()
	if s.websocket {
		s.kickLocked()
	} else if s.getActive {
		s.signalPollLocked()
	} else if shutdown {
		// No GET to carry the close packet: the server is going away, drop
		// the session now rather than wait for the client's next poll.
		s.mu.Unlock()
		if probe != nil {
			probe.CloseNow()
		}
		s.terminate(reason, nil)
		return
	}
	// Bound the graceful close: a websocket peer that doesn't read, a polling
	// client that doesn't poll.
	s.closeTimer = time.AfterFunc(closeTimeout, func() { s.kill(reason, nil) })
	s.mu.Unlock()
	if probe != nil {
		probe.CloseNow()
	}
	s.srv.log.Debug("engine: closing session", "reason", reason, "shutdown", shutdown)
}

// terminate closes the session now: OnClose is called (once), the session
// leaves the server's table, a pending GET is answered, a websocket is
// closed (with a close handshake, after a write in progress; cut if that
// write takes longer than cutGrace). When the session was closing
// gracefully, the reason given to Close wins.
func (s *Session) terminate(reason string, err error) { s.end(reason, err, false) }

// kill is terminate for a peer that doesn't read (ping timeout, queue full)
// or a close that must not wait: a websocket write in progress is cut.
func (s *Session) kill(reason string, err error) { s.end(reason, err, true) }

func (s *Session) end(reason string, err error, cutNow bool) {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	if s.state == stateClosing && s.reason != "" {
		reason, err = s.reason, nil // the end of a close the application asked for
	}
	if s.peerClosed && !s.getActive {
		// A client has one GET in flight at most: when none is pending as
		// its close packet is handled, one may be on its way. Remembered
		// before the session is seen closed (Server.lateGET).
		s.srv.addLate(s.id)
	}
	s.state = stateClosed
	s.reason, s.err = reason, err
	s.srv.stats.closedSession(s.websocket, reason, err)
	for _, t := range []*time.Timer{s.hb, s.closeTimer} {
		if t != nil {
			t.Stop()
		}
	}
	probe := s.abortUpgradeLocked()
	s.queue, s.queuedBytes = nil, 0
	s.signalPollLocked()
	s.abortPostLocked() // under mu: the POST's handler is still running
	var cut *wsConn
	if s.websocket {
		switch {
		case !s.flushing || s.connClosing:
			s.kickLocked() // the flush goroutine closes the connection
		case cutNow:
			// The flush goroutine may be stuck writing to a peer that
			// doesn't read: cut the connection, which ends the write.
			cut = s.conn
		default:
			// The flush goroutine closes the connection after its write,
			// unless the write is stuck.
			conn := s.conn
			s.closeTimer = time.AfterFunc(cutGrace, conn.CloseNow)
		}
	}
	notify := !s.dispatching && !s.notified
	if notify {
		s.notified = true
	}
	cancel := s.cancel
	s.mu.Unlock()

	if cut != nil {
		cut.CloseNow()
	}
	if probe != nil {
		probe.CloseNow()
	}
	if cancel != nil {
		cancel()
	}
	s.srv.unregister(s)
	if err != nil && reason == ReasonTransportError {
		s.srv.log.Debug("engine: session closed", "reason", reason, "err", err)
	} else {
		s.srv.log.Debug("engine: session closed", "reason", reason)
	}
	if notify && s.handler != nil { // nil: closed inside OnSession before SetHandler
		s.handler.OnClose(reason, err)
	}
}

// alive reports whether the session may serve a request; it closes a session
// whose pong deadline has passed (a polling client that stopped polling).
func (s *Session) alive() bool {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return false
	}
	if s.state == stateOpen && s.awaitingPong && s.srv.now() > s.hbDue {
		s.mu.Unlock()
		s.kill(ReasonPingTimeout, nil)
		return false
	}
	s.mu.Unlock()
	return true
}

// startHeartbeat schedules the first ping.
func (s *Session) startHeartbeatLocked() {
	d := s.srv.opts.PingInterval
	s.hbDue = s.srv.now() + d
	s.hb = time.AfterFunc(d, s.onHeartbeat)
}

// onHeartbeat runs when the heartbeat timer fires: it sends a ping, or closes
// the session if the pong is late.
func (s *Session) onHeartbeat() {
	s.mu.Lock()
	now := s.srv.now()
	if s.state != stateOpen || now < s.hbDue { // closed, or a stale firing after a reset
		s.mu.Unlock()
		return
	}
	if s.awaitingPong {
		s.mu.Unlock()
		s.kill(ReasonPingTimeout, nil)
		return
	}
	if len(s.queue)+1 > s.srv.opts.MaxQueuedPackets {
		s.mu.Unlock()
		s.kill(ReasonTransportError, ErrQueueFull)
		return
	}
	s.awaitingPong, s.pongRefreshed = true, false
	s.hbDue = now + s.srv.opts.PingTimeout
	s.hb.Reset(s.srv.opts.PingTimeout)
	s.queue = append(s.queue, eio.PingPacket)
	s.wakeLocked()
	s.mu.Unlock()
}

// onPongLocked records a pong and schedules the next ping.
func (s *Session) onPongLocked() {
	if s.state != stateOpen || !s.awaitingPong {
		return
	}
	s.awaitingPong = false
	d := s.srv.opts.PingInterval
	s.hbDue = s.srv.now() + d
	s.hb.Reset(d)
}

// refreshPongLocked extends the pong deadline once when another packet
// arrives while a pong is awaited (as engine.io 6.6 does).
func (s *Session) refreshPongLocked() {
	if !s.awaitingPong || s.pongRefreshed || s.state != stateOpen {
		return
	}
	s.pongRefreshed = true
	d := s.srv.opts.PingTimeout
	s.hbDue = s.srv.now() + d
	s.hb.Reset(d)
}

// onPacket handles a packet read from the client over the current transport
// (or a POST). It returns false when the session was closed by it.
func (s *Session) onPacket(p eio.Packet, viaWebsocket bool) bool {
	return s.onPacketAt(p, viaWebsocket, 0)
}

// onPacketAt is onPacket for a packet read at readAt (server-relative time,
// 0: unknown): a websocket reader that just woke up passes the clock reading
// it took then, which deliver reuses.
func (s *Session) onPacketAt(p eio.Packet, viaWebsocket bool, readAt time.Duration) bool {
	s.srv.stats.received(p)
	switch p.Type {
	case eio.Message:
		s.deliver(p, readAt, nil, 0)
		return true
	case eio.Pong:
		s.mu.Lock()
		s.onPongLocked()
		s.mu.Unlock()
		return true
	case eio.Ping:
		s.terminate(ReasonTransportError, ErrInvalidHeartbeat)
		return false
	case eio.Close:
		if !viaWebsocket {
			s.mu.Lock()
			s.peerClosed = true
			s.mu.Unlock()
		}
		s.terminate(ReasonTransportClose, nil)
		return false
	default: // open, upgrade, noop: ignored, as the reference does
		s.mu.Lock()
		s.refreshPongLocked()
		s.mu.Unlock()
		return true
	}
}

// deliver hands a message to the handler unless the session is closing.
// What the handler sends (within inlineWindow) is written from this
// goroutine once it returns. readAt, when not 0, is a clock reading taken
// as the message came, to count inlineWindow from (no second reading).
// rc and fd are the reader's connection and descriptor when it delivers
// inside its ReadInline callback (else nil and 0): see flush.
func (s *Session) deliver(p eio.Packet, readAt time.Duration, rc *wsConn, fd uintptr) {
	s.mu.Lock()
	for s.dispatching {
		if s.dispatchDone == nil {
			s.dispatchDone = make(chan struct{})
		}
		done := s.dispatchDone
		s.mu.Unlock()
		<-done
		s.mu.Lock()
	}
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.refreshPongLocked()
	s.dispatching = true
	if readAt == 0 {
		readAt = s.srv.now()
	}
	s.dispatchSince, s.kickPending = readAt, false
	s.mu.Unlock()

	s.handler.OnMessage(p)

	s.mu.Lock()
	s.dispatching = false
	if s.dispatchDone != nil {
		close(s.dispatchDone)
		s.dispatchDone = nil
	}
	pending := s.kickPending
	s.kickPending = false
	notify := s.state == stateClosed && !s.notified
	var reason string
	var err error
	if notify {
		s.notified = true
		reason, err = s.reason, s.err
	}
	var c *wsConn
	var batch []eio.Packet
	if pending {
		// The reader writes what the handler sent: the flush starts in this
		// critical section (no lock of its own to take the queue).
		c, batch = s.startInlineFlushLocked()
	}
	s.mu.Unlock()
	if notify {
		s.handler.OnClose(reason, err)
	}
	if c != nil {
		s.flush(c, true, batch, rc, fd)
	}
}

// discardHandler is used when OnSession sets no handler.
type discardHandler struct{}

func (discardHandler) OnMessage(eio.Packet)  {}
func (discardHandler) OnClose(string, error) {}
