package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/duplexio/duplex/internal/timeout"
	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
)

// closeFlushTimeout bounds how long Close waits for queued packets to be written.
const closeFlushTimeout = 2 * time.Second

// Conn is an open Engine.IO session. Its methods are safe for concurrent use.
type Conn struct {
	opts Options
	base *baseURL
	hs   eio.Handshake
	log  Logger

	ctx    context.Context // ends every goroutine of the session
	cancel context.CancelFunc
	wg     sync.WaitGroup

	packets chan eio.Packet

	mu           sync.Mutex
	tr           transport
	queue        []eio.Packet
	writing      bool
	pausing      bool // upgrade: no new polling requests
	readerPaused bool
	closing      bool // Close called: flush, then end
	upgrading    bool
	err          error
	changed      chan struct{} // closed and replaced on every state change
	queued       func()        // called as packets are queued, if set (websocket_js.go)
	heartbeat    *time.Timer
	closeOnce    sync.Once

	// unconfirmed is the polling transport of a session just upgraded, until
	// a packet arrives over the websocket: if the websocket ends first, the
	// server may have closed the session during the probe without seeing
	// "5", and a last GET collects its close packet (finalPoll).
	unconfirmed *polling
}

// Dial opens a session with the server at rawURL (http, https, ws or wss; the
// path comes from Options.Path): handshake on the first transport, then, in
// the background, an upgrade to websocket when allowed. ctx bounds the
// handshake only.
func Dial(ctx context.Context, rawURL string, opts *Options) (*Conn, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	base, err := parseBase(rawURL)
	if err != nil {
		return nil, err
	}
	c := &Conn{opts: o, base: base, log: o.Logger, packets: make(chan eio.Packet, 64), changed: make(chan struct{})}
	var (
		tr    transport
		first []eio.Packet
	)
	switch o.Transports[0] {
	case Polling:
		tr, first, err = c.handshakePolling(ctx)
	case WebSocket:
		tr, first, err = c.handshakeWebSocket(ctx)
	}
	if err != nil {
		return nil, wrap.New(ErrHandshake.Error()+": "+o.Transports[0]+": "+err.Error(), ErrHandshake, err)
	}
	c.start(tr, first)
	return c, nil
}

// start runs the session on transport tr after the handshake (c.hs is set).
func (c *Conn) start(tr transport, first []eio.Packet) {
	o := &c.opts
	c.tr = tr
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.heartbeat = time.AfterFunc(c.heartbeatTimeout(), func() {
		c.fail(&CloseError{Reason: ReasonPingTimeout})
	})
	c.wg.Add(2)
	go c.readLoop(first)
	go c.writeLoop()
	if o.canUpgrade(tr.name(), c.hs.Upgrades) {
		c.upgrading = true
		c.wg.Add(1)
		go c.upgrade()
	}
}

func (c *Conn) heartbeatTimeout() time.Duration {
	return time.Duration(c.hs.PingInterval+c.hs.PingTimeout) * time.Millisecond
}

// openPacket parses the first packet of a session.
func (c *Conn) openPacket(pkts []eio.Packet) ([]eio.Packet, error) {
	if len(pkts) == 0 || pkts[0].Type != eio.Open {
		return nil, wrap.With(eio.ErrInvalidPacket, "first packet is not open")
	}
	hs, err := eio.ParseHandshake(pkts[0].Data)
	if err != nil {
		return nil, err
	}
	if hs.PingInterval <= 0 || hs.PingTimeout <= 0 {
		return nil, wrap.With(eio.ErrInvalidPacket, "handshake without ping interval or timeout")
	}
	c.hs = hs
	return pkts[1:], nil
}

func (c *Conn) handshakePolling(ctx context.Context) (transport, []eio.Packet, error) {
	p := &polling{http: newHTTPDoer(&c.opts), base: c.base, opts: &c.opts}
	pkts, err := p.read(ctx)
	if err != nil {
		p.close()
		return nil, nil, err
	}
	rest, err := c.openPacket(pkts)
	if err != nil {
		p.close()
		return nil, nil, err
	}
	p.sid, p.maxPayload = c.hs.SID, int(c.hs.MaxPayload)
	return p, rest, nil
}

func (c *Conn) handshakeWebSocket(ctx context.Context) (transport, []eio.Packet, error) {
	ws, err := dialWebSocket(ctx, endpoint(c.base, &c.opts, WebSocket, ""), c)
	if err != nil {
		return nil, nil, err
	}
	pkts, err := ws.read(ctx)
	if err == nil {
		_, err = c.openPacket(pkts)
	}
	if err != nil {
		ws.close()
		return nil, nil, err
	}
	return ws, nil, nil
}

// ID returns the session id (sid) of the handshake.
func (c *Conn) ID() string { return c.hs.SID }

// Handshake returns the server's handshake.
func (c *Conn) Handshake() eio.Handshake { return c.hs }

// Transport returns the name of the current transport ("polling" or "websocket").
func (c *Conn) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tr.name()
}

// Upgrading reports whether an upgrade to websocket is in progress.
func (c *Conn) Upgrading() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.upgrading
}

// Packets returns the channel of received message packets (none when
// Options.OnMessages is set). It is closed when the session has ended; Err
// then tells why. Not reading it stalls the session.
func (c *Conn) Packets() <-chan eio.Packet { return c.packets }

// Err returns why the session ended (a *CloseError), or nil while it is open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Send queues packets for writing; it never blocks. It returns ErrClosed once
// the session is closing.
func (c *Conn) Send(pkts ...eio.Packet) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.closing {
		return ErrClosed
	}
	c.queue = append(c.queue, pkts...)
	if c.queued != nil { // the loader, which writes on the WebSocket too, must not overtake these
		c.queued()
	}
	c.notifyLocked()
	return nil
}

// Close ends the session: queued packets are written (for a bounded time),
// then, on polling, a close packet is sent in a request of its own (as
// engine.io-client waits for "drain" before closing: the server handles what
// came before the close, e.g. a Socket.IO DISCONNECT, before the session
// ends), and every goroutine of the session ends before Close returns.
// During an upgrade the probe websocket is closed and the close packet goes
// over polling, unless the switch was already announced to the server: then
// the session ends by closing the websocket. It is safe to call more than once.
func (c *Conn) Close() error {
	c.mu.Lock()
	first := c.err == nil && !c.closing
	if first {
		c.closing = true
		c.notifyLocked()
	}
	c.mu.Unlock()
	if !first { // the first Close (or a failure) ends the session
		<-c.ctx.Done()
		c.wg.Wait()
		return nil
	}
	t := time.NewTimer(closeFlushTimeout)
	defer t.Stop()
	if c.waitFlushed(t.C) {
		c.mu.Lock()
		if c.err == nil && c.tr.name() == Polling {
			// If polling is paused by an upgrade, the upgrade sees closing and
			// gives up, polling resumes and writes this.
			c.queue = append(c.queue, eio.ClosePacket)
			c.notifyLocked()
		}
		c.mu.Unlock()
	}
	c.waitFlushed(t.C)
	c.fail(&CloseError{Reason: ReasonForcedClose})
	c.wg.Wait()
	return nil
}

// waitFlushed waits until the queue is written (true), the session has
// ended or timeout fires (false).
func (c *Conn) waitFlushed(timeout <-chan time.Time) bool {
	for {
		c.mu.Lock()
		failed := c.err != nil
		flushed := len(c.queue) == 0 && !c.writing
		ch := c.changed
		c.mu.Unlock()
		if failed || flushed {
			return !failed
		}
		select {
		case <-ch:
		case <-timeout:
			return false
		}
	}
}

// notifyLocked wakes every goroutine waiting for a state change.
func (c *Conn) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitLocked waits, with c.mu held (released meanwhile), for the next state
// change or the end of the session.
func (c *Conn) waitLocked() {
	ch := c.changed
	c.mu.Unlock()
	select {
	case <-ch:
	case <-c.ctx.Done():
	}
	c.mu.Lock()
}

// fail ends the session with err (the first error wins).
func (c *Conn) fail(err *CloseError) {
	c.closeOnce.Do(func() { c.shutdown(err) })
}

// shutdown is fail's work, done once (a method, not the body of fail's
// closure: fail is inlined where it is called, the closure with it).
func (c *Conn) shutdown(err *CloseError) {
	c.mu.Lock()
	c.err = err
	tr := c.tr
	c.notifyLocked()
	c.mu.Unlock()
	if err.Reason != ReasonForcedClose {
		c.log.Debug("engine: session closed", "sid", c.hs.SID, "reason", err.Reason, "err", err.Err)
	}
	c.heartbeat.Stop()
	c.cancel()
	tr.close()
}

// failWith classifies a transport error.
func (c *Conn) failWith(err error) {
	if ce, ok := asCloseError(err); ok {
		c.fail(ce)
		return
	}
	c.fail(&CloseError{Reason: ReasonTransportError, Err: err})
}

func (c *Conn) readLoop(first []eio.Packet) {
	defer c.wg.Done()
	defer close(c.packets)
	if !c.handle(first) {
		return
	}
	for {
		c.mu.Lock()
		for c.pausing && c.err == nil {
			c.readerPaused = true
			c.notifyLocked()
			c.waitLocked()
		}
		c.readerPaused = false
		tr := c.tr
		failed := c.err != nil
		c.mu.Unlock()
		if failed {
			return
		}
		if p, ok := tr.(pusher); ok && c.opts.OnMessages != nil {
			// The transport hands its packets over from its own callbacks:
			// this goroutine only waits for its end.
			if err := p.push(c.ctx, c.confirmedHandle()); err != nil && c.ctx.Err() == nil {
				c.finalPoll()
				c.failWith(err)
			}
			return
		}
		pkts, err := tr.read(c.ctx)
		if err != nil {
			if c.ctx.Err() == nil {
				c.finalPoll()
				c.failWith(err)
			}
			return
		}
		c.mu.Lock()
		if tr.name() == WebSocket {
			c.unconfirmed = nil
		}
		c.mu.Unlock()
		if !c.handle(pkts) {
			return
		}
	}
}

// pusher is a transport that passes received packets to a function from its
// own event callbacks (the browser's WebSocket), instead of through read.
type pusher interface {
	// push calls fn with the received packets, in order and one call at a
	// time, until fn returns false (push then returns nil) or the transport
	// ends (its error). Packets received before push was called go first.
	push(ctx context.Context, fn func(pkts []eio.Packet) bool) error
}

// confirmedHandle returns handle for a websocket's pushed packets: the first
// one confirms an upgrade (see unconfirmed).
func (c *Conn) confirmedHandle() func([]eio.Packet) bool {
	confirmed := false
	return func(pkts []eio.Packet) bool {
		if !confirmed {
			confirmed = true
			c.mu.Lock()
			c.unconfirmed = nil
			c.mu.Unlock()
		}
		return c.handle(pkts)
	}
}

// finalPollTimeout bounds finalPoll's GET.
const finalPollTimeout = 2 * time.Second

// finalPoll runs when the websocket of a just-upgraded session ends before
// anything arrived over it: the server may have aborted the probe (closing
// the session) before reading "5". It then still waits for a polling GET to
// carry its close packet (docs/protocol.md §1.8) and keeps the session until then;
// one last GET ends it on the server at once. A server that did switch
// answers 400; either way the session is over.
func (c *Conn) finalPoll() {
	c.mu.Lock()
	p := c.unconfirmed
	c.unconfirmed = nil
	c.mu.Unlock()
	if p == nil {
		return
	}
	ctx, cancel := timeout.Context(c.ctx, finalPollTimeout)
	defer cancel()
	pkts, err := p.read(ctx)
	p.close()
	if err == nil && slices.ContainsFunc(pkts, func(pk eio.Packet) bool { return pk.Type == eio.Close }) {
		c.log.Debug("engine: the server closed the session during the upgrade", "sid", c.hs.SID)
	}
}

// handle processes received packets; false means the session is over.
// Message packets go to Options.OnMessages (consecutive ones in one call)
// or, without it, to the Packets channel.
func (c *Conn) handle(pkts []eio.Packet) bool {
	from := -1 // start of the run of message packets not yet delivered
	for i, p := range pkts {
		if p.Type == eio.Message {
			if from < 0 {
				from = i
			}
			continue
		}
		if from >= 0 {
			if !c.deliver(pkts[from:i]) {
				return false
			}
			from = -1
		}
		switch p.Type {
		case eio.Ping:
			c.heartbeat.Reset(c.heartbeatTimeout())
			_ = c.Send(eio.Packet{Type: eio.Pong, Data: p.Data})
		case eio.Noop, eio.Pong:
		case eio.Close:
			c.fail(&CloseError{Reason: ReasonTransportClose, Err: errors.New("closed by the server")})
			return false
		default:
			c.fail(&CloseError{Reason: ReasonParseError, Err: errors.New("unexpected " + p.Type.String() + " packet")})
			return false
		}
	}
	if from >= 0 {
		return c.deliver(pkts[from:])
	}
	return true
}

// deliver passes message packets on; false means the session is over.
func (c *Conn) deliver(msgs []eio.Packet) bool {
	if c.ctx.Err() != nil {
		return false
	}
	if c.opts.OnMessages != nil {
		c.opts.OnMessages(msgs)
		return true
	}
	for _, p := range msgs {
		select {
		case c.packets <- p:
		case <-c.ctx.Done():
			return false
		}
	}
	return true
}

func (c *Conn) writeLoop() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		for (len(c.queue) == 0 || c.pausing) && c.err == nil {
			c.waitLocked()
		}
		if c.err != nil {
			c.mu.Unlock()
			return
		}
		tr := c.tr
		n := tr.batch(c.queue)
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		c.writing = true
		c.mu.Unlock()
		err := tr.write(c.ctx, batch)
		c.mu.Lock()
		c.writing = false
		c.notifyLocked()
		unconfirmed := c.unconfirmed != nil
		c.mu.Unlock()
		if err != nil {
			if c.ctx.Err() == nil {
				if unconfirmed {
					// The read loop ends the session, after finalPoll.
					tr.close()
					return
				}
				c.failWith(err)
			}
			return
		}
	}
}
