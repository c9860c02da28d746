package client

import (
	"github.com/duplexio/duplex/protocol/eio"
)

// callbackKind says what a queued callback does when the loop runs it.
type callbackKind int

const (
	// Manager handlers.
	cbOpen             callbackKind = iota // OnOpen
	cbClose                                // OnClose(reason)
	cbError                                // OnError(err)
	cbReconnectAttempt                     // the backoff timer fired: OnReconnectAttempt(n), then a new connection
	cbReconnect                            // OnReconnect(n)
	cbReconnectError                       // OnReconnectError(err)
	cbReconnectFailed                      // OnReconnectFailed
	// Socket handlers.
	cbConnect      // OnConnect
	cbDisconnect   // OnDisconnect(reason)
	cbConnectError // OnConnectError(err); only handler h when set
	cbEvent        // OnAny handlers, then the event's own (Once ones are removed here)
	cbAck          // an ack callback (ack) with args or err
	// Steps of the Manager that must run in order with the handlers.
	cbSendConnect // send CONNECT on conn (calls AuthFunc)
	cbDrainQueue  // send the next packet of the Retries queue (force: re-send the one in flight)
	cbCloseConn   // close conn (before the handlers queued after it)
)

// callback is one entry of the Manager's queue: a kind and its arguments.
type callback struct {
	kind   callbackKind
	s      *Socket
	err    error
	reason string
	n      int
	ev     *Event
	ack    AckFunc
	args   Args
	conn   conn
	force  bool
	h      func(error)
}

// queueLocked appends cb to the queue (m.mu held), starting the loop if needed.
// State changes queue their callbacks while they hold the lock, so the queue
// is in the order things happened.
func (m *Manager) queueLocked(cbs ...callback) {
	if len(cbs) == 0 {
		return
	}
	m.callbacks = append(m.callbacks, cbs...)
	if !m.running {
		m.running = true
		m.loopDone = make(chan struct{})
		go m.loop(m.loopDone)
		return
	}
	if !m.holdWake {
		m.wakeLocked()
	}
}

// inline reports whether cb may run on the goroutine that received the
// packet it answers (Manager.receive): it calls handlers of a socket whose
// handlers do not block.
func (cb *callback) inline() bool {
	switch cb.kind {
	case cbConnect, cbDisconnect, cbConnectError, cbEvent, cbAck:
		return cb.s != nil && cb.s.opts.NonBlockingHandlers
	}
	return false
}

// ensureLoopLocked starts the loop when the Manager has work (a connection,
// a dial, a reconnection timer) but nothing queued.
func (m *Manager) ensureLoopLocked() {
	if !m.running {
		m.running = true
		m.loopDone = make(chan struct{})
		go m.loop(m.loopDone)
	}
}

// loop is the Manager's goroutine: it runs the queued callbacks one at a time,
// in order, and reads the connection's packets when the queue is empty (the
// callbacks a packet queues run before the next packet is read). It ends when
// the Manager is closed, not reconnecting, and the queue is empty.
func (m *Manager) loop(done chan struct{}) {
	defer close(done)
	for {
		m.mu.Lock()
		if len(m.callbacks) > 0 && !m.inLoop {
			cb := m.callbacks[0]
			m.callbacks[0] = callback{}
			m.callbacks = m.callbacks[1:]
			m.inLoop = true
			m.drainedLocked()
			m.mu.Unlock()
			m.run(cb)
			m.mu.Lock()
			m.inLoop = false
			m.mu.Unlock()
			continue
		}
		if len(m.callbacks) == 0 && !m.inLoop && m.state == stateClosed && !m.reconnecting {
			m.running = false
			m.callbacks = nil
			m.mu.Unlock()
			return
		}
		eng := m.eng
		m.mu.Unlock()
		var pkts <-chan eio.Packet
		if eng != nil {
			pkts = eng.Packets()
		}
		select {
		case <-m.wake:
		case p, ok := <-pkts:
			if ok { // a connection without OnMessages (tests' fake)
				m.receive(eng, []eio.Packet{p}, false)
				continue
			}
			m.mu.Lock()
			m.inLoop = true
			m.mu.Unlock()
			m.onEngineClose(eng)
			m.mu.Lock()
			m.inLoop = false
			m.mu.Unlock()
		}
	}
}

// run runs one callback on the loop. Handlers are looked up now, not when
// the callback was queued (a handler added in between is called), and run
// without the lock held.
func (m *Manager) run(cb callback) {
	s := cb.s
	m.mu.Lock()
	switch cb.kind {
	case cbOpen:
		hs := m.onOpen
		m.mu.Unlock()
		for _, h := range hs {
			h()
		}
	case cbClose:
		hs := m.onClose
		m.mu.Unlock()
		for _, h := range hs {
			h(cb.reason)
		}
	case cbError:
		hs := m.onError
		m.mu.Unlock()
		for _, h := range hs {
			h(cb.err)
		}
	case cbReconnectAttempt:
		if m.skipReconnect || !m.reconnecting {
			m.mu.Unlock()
			return
		}
		n := m.backoff.attempts
		hs := m.onAttempt
		m.mu.Unlock()
		for _, h := range hs {
			h(n)
		}
		m.mu.Lock()
		if !m.skipReconnect && m.reconnecting {
			m.openLocked()
		}
		m.mu.Unlock()
	case cbReconnect:
		hs := m.onRecon
		m.mu.Unlock()
		for _, h := range hs {
			h(cb.n)
		}
	case cbReconnectError:
		hs := m.onReconErr
		m.mu.Unlock()
		for _, h := range hs {
			h(cb.err)
		}
	case cbReconnectFailed:
		hs := m.onFailed
		m.mu.Unlock()
		for _, h := range hs {
			h()
		}
	case cbConnect:
		hs := s.onConnect
		m.mu.Unlock()
		for _, h := range hs {
			h()
		}
	case cbDisconnect:
		hs := s.onDisconnect
		m.mu.Unlock()
		for _, h := range hs {
			h(cb.reason)
		}
	case cbConnectError:
		hs := s.onConnectError
		if cb.h != nil {
			hs = []func(error){cb.h}
		}
		if cb.err == m.urlErr {
			s.urlErrReported = true
		}
		m.mu.Unlock()
		for _, h := range hs {
			h(cb.err)
		}
	case cbEvent:
		anys, hs := s.anyHandlers, s.takeHandlersLocked(cb.ev.Name)
		m.mu.Unlock()
		for _, h := range anys {
			h(cb.ev)
		}
		for _, h := range hs {
			h(cb.ev)
		}
	case cbAck:
		m.mu.Unlock()
		cb.ack(cb.args, cb.err)
	case cbSendConnect:
		m.mu.Unlock()
		s.sendConnect(cb.conn)
	case cbDrainQueue:
		m.mu.Unlock()
		s.drainQueue(cb.force)
	case cbCloseConn:
		m.mu.Unlock()
		_ = cb.conn.Close()
	default:
		m.mu.Unlock()
		panic("client: unknown callback kind")
	}
}
