package client

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/internal/timeout"
	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

type managerState int

const (
	stateClosed managerState = iota
	stateOpening
	stateOpen
)

// Manager is one Engine.IO connection to a server shared by the sockets of
// several namespaces, with reconnection (socket.io-client's Manager).
// Its methods are safe for concurrent use.
type Manager struct {
	opts       Options
	engineOpts engine.Options
	base       string
	urlErr     error
	log        Logger
	enc        encoder  // encodes Emit, Ack and auth arguments
	fast       fastPath // the browser loader's table (engine.Options.Loader), or nil

	mu             sync.Mutex // guards the Manager, the state of its sockets and the callbacks
	state          managerState
	eng            conn
	dial           func(ctx context.Context) (conn, error)
	dec            sio.Decoder
	sockets        map[string]*Socket // by namespace
	socketList     []*Socket          // in creation order: the order their handlers are queued in
	skipReconnect  bool
	reconnecting   bool
	reconnectTimer *time.Timer
	backoff        *backoff
	dialCancel     context.CancelFunc
	dialWG         sync.WaitGroup

	callbacks  []callback    // run by the loop, in order (callback.go)
	running    bool          // the loop goroutine is running
	inLoop     bool          // a callback is running, on the loop or in receive (a handler may be calling us)
	holdWake   bool          // receive is queueing: it wakes the loop itself if needed
	drained    chan struct{} // closed when a callback is taken from the queue or the connection changes (nil: no waiter)
	wake       chan struct{}
	loopDone   chan struct{}
	onAttempt  []func(int)
	onRecon    []func(int)
	onFailed   []func()
	onReconErr []func(error)
	onOpen     []func()
	onClose    []func(string)
	onError    []func(error)
}

// conn is the Engine.IO connection as the Manager uses it (an *engine.Conn;
// tests use a fake).
type conn interface {
	Send(pkts ...eio.Packet) error
	Packets() <-chan eio.Packet
	Err() error
	Close() error
	Transport() string
}

// NewManager returns a Manager for the server at rawURL (http, https, ws or
// wss; its path is ignored, Options.Engine.Path is used; its query is added to
// Options.Engine.Query). It does not connect until Open or a socket connects.
func NewManager(rawURL string, opts *Options) (*Manager, error) {
	m := newManager(rawURL, opts, anyEncoder)
	return m, m.urlErr
}

func newManager(rawURL string, opts *Options, enc encoder) *Manager {
	o := opts.withDefaults()
	m := &Manager{opts: o, log: o.Logger, enc: enc, sockets: map[string]*Socket{}, wake: make(chan struct{}, 1)}
	m.backoff = newBackoff(o.ReconnectionDelay, o.ReconnectionDelayMax, o.RandomizationFactor)
	m.dec.MaxAttachments = sio.DefaultMaxAttachments
	u, err := parseServerURL(rawURL)
	switch {
	case err != nil:
		m.urlErr = err
	case u.scheme != "http" && u.scheme != "https" && u.scheme != "ws" && u.scheme != "wss":
		m.urlErr = errors.New("client: bad url " + strconv.Quote(rawURL) + ": scheme must be http, https, ws or wss")
	case u.host == "":
		m.urlErr = errors.New("client: bad url " + strconv.Quote(rawURL) + ": no host")
	}
	for _, t := range o.Engine.Transports {
		if t != engine.Polling && t != engine.WebSocket && m.urlErr == nil {
			m.urlErr = errors.New("client: unknown transport " + strconv.Quote(t))
		}
	}
	var urlQuery map[string][]string
	if u != nil {
		urlQuery = u.query
		m.base = u.scheme + "://" + u.host
	}
	query := map[string][]string{}
	for _, q := range [...]map[string][]string{o.Engine.Query, urlQuery} {
		for k, v := range q { // the URL's parameters override the option's
			query[k] = v
		}
	}
	m.engineOpts = o.Engine
	m.engineOpts.Query = query
	if f, ok := o.Engine.Loader.(fastPath); ok {
		m.fast = f
		f.BindManager(m.fastIdle, m.fastAck)
	}
	m.dial = func(ctx context.Context) (conn, error) {
		ec := &engineConn{}
		o := m.engineOpts
		o.OnMessages = func(pkts []eio.Packet) { m.receive(ec, pkts, !browser) }
		c, err := engine.Dial(ctx, m.base, &o)
		if err != nil {
			return nil, err
		}
		ec.Conn = c
		return ec, nil
	}
	return m
}

// Socket returns the socket of namespace nsp ("/" when empty), creating it
// with opts on first use (later calls return the same socket and ignore
// opts). Unless opts.NoAutoConnect, it connects it.
func (m *Manager) Socket(nsp string, opts *SocketOptions) *Socket {
	if nsp == "" {
		nsp = "/"
	}
	m.mu.Lock()
	s, ok := m.sockets[nsp]
	if !ok {
		s = newSocket(m, nsp, opts)
		m.sockets[nsp] = s
		m.socketList = append(m.socketList, s)
	}
	m.mu.Unlock()
	if !ok && !s.opts.NoAutoConnect {
		s.Connect()
	}
	return s
}

// Open starts connecting (no-op when connected or connecting). Sockets
// connect by themselves: Open is only needed to connect the Manager alone.
func (m *Manager) Open() {
	m.mu.Lock()
	m.skipReconnect = false
	m.openLocked()
	m.mu.Unlock()
}

// Close disconnects every socket (reason "forced close"), stops reconnecting
// and closes the connection. Unless called from a handler, it returns after
// the Manager's goroutines have ended.
func (m *Manager) Close() {
	m.mu.Lock()
	eng := m.closeLocked("forced close")
	done, inLoop := m.loopDone, m.inLoop
	m.mu.Unlock()
	if eng != nil {
		_ = eng.Close()
	}
	m.dialWG.Wait()
	if done != nil && !inLoop {
		<-done
	}
}

// Transport returns the name of the current transport ("polling" or
// "websocket"), or "" when not connected.
func (m *Manager) Transport() string {
	m.mu.Lock()
	eng := m.eng
	m.mu.Unlock()
	if eng == nil {
		return ""
	}
	return eng.Transport()
}

// OnReconnectAttempt adds a handler called before each reconnection attempt (n from 1).
func (m *Manager) OnReconnectAttempt(h func(n int)) {
	m.addHandler(func() { m.onAttempt = append(m.onAttempt, h) })
}

// OnReconnect adds a handler called after a successful reconnection, with the number of attempts.
func (m *Manager) OnReconnect(h func(n int)) {
	m.addHandler(func() { m.onRecon = append(m.onRecon, h) })
}

// OnReconnectFailed adds a handler called when ReconnectionAttempts are exhausted.
func (m *Manager) OnReconnectFailed(h func()) {
	m.addHandler(func() { m.onFailed = append(m.onFailed, h) })
}

// OnReconnectError adds a handler called when a reconnection attempt fails.
func (m *Manager) OnReconnectError(h func(err error)) {
	m.addHandler(func() { m.onReconErr = append(m.onReconErr, h) })
}

// OnOpen adds a handler called when the Engine.IO connection opens.
func (m *Manager) OnOpen(h func()) { m.addHandler(func() { m.onOpen = append(m.onOpen, h) }) }

// OnClose adds a handler called when the Engine.IO connection closes, with the reason.
func (m *Manager) OnClose(h func(reason string)) {
	m.addHandler(func() { m.onClose = append(m.onClose, h) })
}

// OnError adds a handler called when opening the connection fails.
func (m *Manager) OnError(h func(err error)) {
	m.addHandler(func() { m.onError = append(m.onError, h) })
}

func (m *Manager) addHandler(add func()) {
	m.mu.Lock()
	add()
	m.mu.Unlock()
}

// ---- opening and reconnecting ----

func (m *Manager) openLocked() {
	if m.state != stateClosed {
		return
	}
	if m.urlErr != nil {
		m.openFailedLocked(m.urlErr, false)
		return
	}
	m.state = stateOpening
	ctx, cancel := timeout.Context(context.Background(), m.opts.Timeout)
	m.dialCancel = cancel
	m.dialWG.Add(1)
	go func() {
		defer m.dialWG.Done()
		defer cancel()
		conn, err := m.dial(ctx)
		if err != nil && timeout.Err(ctx) == context.DeadlineExceeded {
			err = wrap.New(ErrConnectTimeout.Error()+": "+err.Error(), ErrConnectTimeout, err)
		}
		m.onDialed(conn, err)
	}()
	m.ensureLoopLocked()
}

// openFailedLocked queues the reports of a failed connection: the
// Manager's (reconnection) error handlers, then connect_error on every socket
// trying to connect.
func (m *Manager) openFailedLocked(err error, reconnecting bool) {
	if reconnecting {
		m.queueLocked(callback{kind: cbReconnectError, err: err})
	}
	m.queueLocked(callback{kind: cbError, err: err})
	for _, s := range m.socketList {
		if s.active && !s.connected {
			m.queueLocked(callback{kind: cbConnectError, s: s, err: err})
		}
	}
}

// onDialed ends a dial (on the dialing goroutine).
func (m *Manager) onDialed(conn conn, err error) {
	m.mu.Lock()
	if m.state != stateOpening { // closed meanwhile
		m.mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
		return
	}
	defer m.mu.Unlock()
	m.dialCancel = nil
	if err != nil {
		m.log.Debug("client: open failed", "err", err)
		m.state = stateClosed
		wasReconnecting := m.reconnecting
		m.reconnecting = false
		m.openFailedLocked(err, wasReconnecting)
		if !m.opts.NoReconnection && !m.skipReconnect {
			m.reconnectLocked()
		}
		return
	}
	m.state = stateOpen
	m.eng = conn
	m.dec.Reset()
	m.wakeLocked() // the loop reads the new connection
	var early []eio.Packet
	if ec, ok := conn.(*engineConn); ok {
		ec.adopted = true
		early, ec.early = ec.early, nil
	}
	for _, s := range m.socketList {
		if s.active {
			m.queueLocked(callback{kind: cbSendConnect, s: s, conn: conn})
		}
	}
	m.queueLocked(callback{kind: cbOpen})
	if m.reconnecting {
		n := m.backoff.attempts
		m.reconnecting = false
		m.backoff.reset()
		m.queueLocked(callback{kind: cbReconnect, n: n})
	}
	if len(early) > 0 {
		m.receiveLocked(conn, early)
	}
}

// reconnectLocked schedules the next attempt, or gives up.
func (m *Manager) reconnectLocked() {
	if m.reconnecting || m.skipReconnect {
		return
	}
	if n := m.opts.ReconnectionAttempts; n > 0 && m.backoff.attempts >= n {
		m.backoff.reset()
		m.queueLocked(callback{kind: cbReconnectFailed})
		return
	}
	delay := m.backoff.duration()
	m.reconnecting = true
	m.log.Debug("client: reconnecting", "delay", delay)
	m.reconnectTimer = time.AfterFunc(delay, func() {
		m.mu.Lock()
		m.queueLocked(callback{kind: cbReconnectAttempt})
		m.mu.Unlock()
	})
}

// wakeLocked lets an idle loop see a state change (a new connection, the end).
func (m *Manager) wakeLocked() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// ---- closing ----

// closeLocked stops the Manager: no reconnection, sockets disconnected with
// reason. It returns the connection to close (the caller closes it, outside
// the lock, or queues cbCloseConn).
func (m *Manager) closeLocked(reason string) conn {
	m.skipReconnect = true
	m.reconnecting = false
	if m.reconnectTimer != nil {
		m.reconnectTimer.Stop()
		m.reconnectTimer = nil
	}
	if m.dialCancel != nil {
		m.dialCancel()
		m.dialCancel = nil
	}
	eng := m.eng
	wasOpen := m.state == stateOpen
	m.eng = nil
	m.drainedLocked()
	m.state = stateClosed
	m.backoff.reset()
	if wasOpen {
		m.onCloseLocked(reason)
	}
	m.wakeLocked() // an idle loop sees it can end
	return eng
}

// onCloseLocked: the connection is gone: OnClose, then each socket disconnects with reason.
func (m *Manager) onCloseLocked(reason string) {
	m.queueLocked(callback{kind: cbClose, reason: reason})
	for _, s := range m.socketList {
		s.oncloseLocked(reason)
	}
}

func (m *Manager) onEngineClose(eng conn) {
	reason := engine.ReasonTransportClose
	var ce *engine.CloseError
	if errors.As(eng.Err(), &ce) {
		reason = ce.Reason
	}
	m.dropEngine(eng, reason)
}

// dropEngine handles the end of connection eng (if still current) with reason, and reconnects.
func (m *Manager) dropEngine(eng conn, reason string) {
	m.mu.Lock()
	m.dropEngineLocked(eng, reason)
	m.mu.Unlock()
	_ = eng.Close()
}

// dropEngineLocked is dropEngine but for closing eng (the caller's part).
func (m *Manager) dropEngineLocked(eng conn, reason string) {
	if m.eng != eng {
		return
	}
	m.log.Debug("client: connection closed", "reason", reason)
	m.eng = nil
	m.state = stateClosed
	m.backoff.reset()
	m.drainedLocked()
	m.onCloseLocked(reason)
	if !m.opts.NoReconnection && !m.skipReconnect {
		m.reconnectLocked()
	}
}

// anyActiveLocked reports whether a socket of the Manager wants to be connected.
func (m *Manager) anyActiveLocked() bool {
	for _, s := range m.socketList {
		if s.active {
			return true
		}
	}
	return false
}

// destroyLocked is called when a socket stops being active: with no active
// socket left the Manager closes (reason "forced close"), and the connection
// to close is returned.
func (m *Manager) destroyLocked() conn {
	if m.anyActiveLocked() {
		return nil
	}
	return m.closeLocked("forced close")
}

// ---- packets ----

// engineConn is an *engine.Conn that passes its messages to the Manager's
// receive (engine.Options.OnMessages) with itself as the connection.
type engineConn struct {
	*engine.Conn

	// early holds the packets received before onDialed made it the
	// Manager's connection (guarded by Manager.mu).
	early   []eio.Packet
	adopted bool
}

// browser: WebSocket frames are received in JavaScript callbacks, which
// must not wait; nor does the browser apply backpressure to a WebSocket.
const browser = runtime.GOOS == "js"

// maxPending is the number of queued callbacks beyond which receive, when
// it may wait, waits for the loop: a slow handler slows reading down
// (natively, TCP then slows the server down) instead of the queue growing.
const maxPending = 64

// receive handles message packets of connection eng on the goroutine that
// read them (the engine's reader; in the browser, the WebSocket's
// JavaScript callback), without a goroutine switch: it decodes them, queues
// their callbacks and runs those that may run here (runInlineLocked); the
// loop runs the others. When mayWait, it then waits while the queue is long.
func (m *Manager) receive(eng conn, pkts []eio.Packet, mayWait bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.eng != eng {
		if ec, ok := eng.(*engineConn); ok && !ec.adopted && m.state == stateOpening {
			ec.early = append(ec.early, pkts...) // onDialed handles them
		}
		return
	}
	m.receiveLocked(eng, pkts)
	for mayWait && len(m.callbacks) >= maxPending && m.eng == eng && m.running {
		if m.drained == nil {
			m.drained = make(chan struct{})
		}
		ch := m.drained
		m.mu.Unlock()
		<-ch
		m.mu.Lock()
	}
}

// drainedLocked wakes receive's waiters.
func (m *Manager) drainedLocked() {
	if m.drained != nil {
		close(m.drained)
		m.drained = nil
	}
}

// receiveLocked decodes pkts of the current connection eng and handles them.
func (m *Manager) receiveLocked(eng conn, pkts []eio.Packet) {
	m.holdWake = true
	for _, p := range pkts {
		pkt, ok, err := m.dec.Decode(p)
		if err != nil {
			m.log.Debug("client: bad packet", "err", err)
			// Closed by the loop: Close waits for the reader, which may be
			// the caller.
			m.queueLocked(callback{kind: cbCloseConn, conn: eng})
			m.dropEngineLocked(eng, engine.ReasonParseError)
			break
		}
		if !ok {
			continue
		}
		if s := m.sockets[pkt.NS()]; s != nil {
			s.onpacketLocked(&pkt)
		}
	}
	m.holdWake = false
	m.runInlineLocked()
	if len(m.callbacks) > 0 || m.state == stateClosed {
		m.wakeLocked() // the loop runs the rest, or ends
	}
}

// runInlineLocked runs the queued callbacks that may run on the calling
// goroutine (those of sockets with SocketOptions.NonBlockingHandlers), in
// order, unless another goroutine is running callbacks; it stops at the
// first that may not, which the loop runs.
func (m *Manager) runInlineLocked() {
	for !m.inLoop && len(m.callbacks) > 0 && m.callbacks[0].inline() {
		cb := m.callbacks[0]
		m.callbacks[0] = callback{}
		m.callbacks = m.callbacks[1:]
		m.inLoop = true
		m.mu.Unlock()
		m.run(cb)
		m.mu.Lock()
		m.inLoop = false
	}
	if len(m.callbacks) == 0 {
		m.callbacks = nil // keep no large backing array
	}
}

// send writes a packet on the current connection.
func (m *Manager) sendLocked(p *sio.Packet) error {
	if m.eng == nil {
		return ErrNotConnected
	}
	return m.eng.Send(p.Encode()...)
}
