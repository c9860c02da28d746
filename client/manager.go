package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/duplexio/duplex/client/engine"
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
	log        *slog.Logger

	mu             sync.Mutex // guards the Manager and the state of its sockets
	state          managerState
	eng            conn
	dial           func(ctx context.Context) (conn, error)
	dec            sio.Decoder
	sockets        map[string]*Socket
	skipReconnect  bool
	reconnecting   bool
	reconnectTimer *time.Timer
	backoff        *backoff
	dialCancel     context.CancelFunc
	dialWG         sync.WaitGroup

	tasks      []func()
	running    bool // the loop goroutine is running
	inLoop     bool // the loop is running a task (a handler may be calling us)
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
	m := newManager(rawURL, opts)
	return m, m.urlErr
}

func newManager(rawURL string, opts *Options) *Manager {
	o := opts.withDefaults()
	m := &Manager{opts: o, log: o.Logger, sockets: map[string]*Socket{}, wake: make(chan struct{}, 1)}
	m.backoff = newBackoff(o.ReconnectionDelay, o.ReconnectionDelayMax, o.RandomizationFactor)
	m.dec.MaxAttachments = sio.DefaultMaxAttachments
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		m.urlErr = fmt.Errorf("client: bad url: %w", err)
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss":
		m.urlErr = fmt.Errorf("client: bad url %q: scheme must be http, https, ws or wss", rawURL)
	case u.Host == "":
		m.urlErr = fmt.Errorf("client: bad url %q: no host", rawURL)
	}
	for _, t := range o.Engine.Transports {
		if t != engine.Polling && t != engine.WebSocket && m.urlErr == nil {
			m.urlErr = fmt.Errorf("client: unknown transport %q", t)
		}
	}
	query := url.Values{}
	for k, v := range o.Engine.Query {
		query[k] = v
	}
	if u != nil {
		for k, v := range u.Query() {
			query[k] = v
		}
		m.base = u.Scheme + "://" + u.Host
	}
	m.engineOpts = o.Engine
	m.engineOpts.Query = query
	m.dial = func(ctx context.Context) (conn, error) {
		c, err := engine.Dial(ctx, m.base, &m.engineOpts)
		if err != nil {
			return nil, err
		}
		return c, nil
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
	eng, after := m.closeLocked("forced close")
	done, inLoop := m.loopDone, m.inLoop
	m.mu.Unlock()
	m.postAll(after)
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

// ---- the loop: one goroutine runs every handler, in order ----

// postLocked queues fn for the loop goroutine, starting it if needed.
func (m *Manager) postLocked(fns ...func()) {
	if len(fns) == 0 {
		return
	}
	m.tasks = append(m.tasks, fns...)
	if !m.running {
		m.running = true
		m.loopDone = make(chan struct{})
		go m.loop(m.loopDone)
		return
	}
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *Manager) postAll(fns []func()) {
	if len(fns) == 0 {
		return
	}
	m.mu.Lock()
	m.postLocked(fns...)
	m.mu.Unlock()
}

// ensureLoopLocked starts the loop when the Manager has work (a connection, a dial, a reconnection timer).
func (m *Manager) ensureLoopLocked() {
	if !m.running {
		m.postLocked(func() {})
	}
}

func (m *Manager) loop(done chan struct{}) {
	defer close(done)
	for {
		m.mu.Lock()
		if len(m.tasks) > 0 {
			t := m.tasks[0]
			m.tasks[0] = nil
			m.tasks = m.tasks[1:]
			m.inLoop = true
			m.mu.Unlock()
			t()
			m.mu.Lock()
			m.inLoop = false
			m.mu.Unlock()
			continue
		}
		if m.state == stateClosed && !m.reconnecting {
			m.running = false
			m.tasks = nil
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
			m.mu.Lock()
			m.inLoop = true
			m.mu.Unlock()
			if ok {
				m.onEnginePacket(eng, p)
			} else {
				m.onEngineClose(eng)
			}
			m.mu.Lock()
			m.inLoop = false
			m.mu.Unlock()
		}
	}
}

func run(fns []func()) {
	for _, f := range fns {
		f()
	}
}

// ---- opening and reconnecting ----

func (m *Manager) openLocked() {
	if m.state != stateClosed {
		return
	}
	if m.urlErr != nil {
		err := m.urlErr
		m.postLocked(m.openErrorHandlersLocked(err, false)...)
		return
	}
	m.state = stateOpening
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.Timeout)
	m.dialCancel = cancel
	m.dialWG.Add(1)
	go func() {
		defer m.dialWG.Done()
		defer cancel()
		conn, err := m.dial(ctx)
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %w", ErrConnectTimeout, err)
		}
		m.mu.Lock()
		m.postLocked(func() { m.onDialed(conn, err) })
		m.mu.Unlock()
	}()
	m.ensureLoopLocked()
}

// openErrorHandlersLocked: the Manager's error handlers, then connect_error on
// every socket trying to connect.
func (m *Manager) openErrorHandlersLocked(err error, reconnecting bool) []func() {
	var after []func()
	if reconnecting {
		for _, h := range m.onReconErr {
			after = append(after, func() { h(err) })
		}
	}
	for _, h := range m.onError {
		after = append(after, func() { h(err) })
	}
	for _, s := range m.sockets {
		if s.active && !s.connected {
			after = append(after, s.connectErrorHandlersLocked(err)...)
		}
	}
	return after
}

func (m *Manager) onDialed(conn conn, err error) {
	m.mu.Lock()
	if m.state != stateOpening { // closed meanwhile
		m.mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
		return
	}
	m.dialCancel = nil
	if err != nil {
		m.log.Debug("client: open failed", "err", err)
		m.state = stateClosed
		wasReconnecting := m.reconnecting
		m.reconnecting = false
		after := m.openErrorHandlersLocked(err, wasReconnecting)
		if !m.opts.NoReconnection && !m.skipReconnect {
			after = append(after, m.reconnectLocked()...)
		}
		m.mu.Unlock()
		run(after)
		return
	}
	m.state = stateOpen
	m.eng = conn
	m.dec.Reset()
	var after []func()
	for _, h := range m.onOpen {
		after = append(after, h)
	}
	var connecting []*Socket
	for _, s := range m.sockets {
		if s.active {
			connecting = append(connecting, s)
		}
	}
	if m.reconnecting {
		n := m.backoff.attempts
		m.reconnecting = false
		m.backoff.reset()
		for _, h := range m.onRecon {
			after = append(after, func() { h(n) })
		}
	}
	m.mu.Unlock()
	for _, s := range connecting {
		s.sendConnect(conn)
	}
	run(after)
}

// reconnectLocked schedules the next attempt, or gives up.
func (m *Manager) reconnectLocked() []func() {
	if m.reconnecting || m.skipReconnect {
		return nil
	}
	if n := m.opts.ReconnectionAttempts; n > 0 && m.backoff.attempts >= n {
		m.backoff.reset()
		var after []func()
		for _, h := range m.onFailed {
			after = append(after, h)
		}
		return after
	}
	delay := m.backoff.duration()
	m.reconnecting = true
	m.log.Debug("client: reconnecting", "delay", delay)
	m.reconnectTimer = time.AfterFunc(delay, func() {
		m.mu.Lock()
		m.postLocked(m.reconnectAttempt)
		m.mu.Unlock()
	})
	return nil
}

func (m *Manager) reconnectAttempt() {
	m.mu.Lock()
	if m.skipReconnect || !m.reconnecting {
		m.mu.Unlock()
		return
	}
	n := m.backoff.attempts
	hs := append([]func(int){}, m.onAttempt...)
	m.mu.Unlock()
	for _, h := range hs {
		h(n)
	}
	m.mu.Lock()
	if !m.skipReconnect && m.reconnecting {
		m.openLocked()
	}
	m.mu.Unlock()
}

// ---- closing ----

// closeLocked stops the Manager: no reconnection, sockets disconnected with
// reason. It returns the connection to close (outside the lock) and the handlers to run.
func (m *Manager) closeLocked(reason string) (conn, []func()) {
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
	m.state = stateClosed
	m.backoff.reset()
	var after []func()
	if wasOpen {
		after = m.onCloseLocked(reason)
	}
	select { // let an idle loop see it can end
	case m.wake <- struct{}{}:
	default:
	}
	return eng, after
}

// onCloseLocked: the connection is gone; sockets disconnect with reason.
func (m *Manager) onCloseLocked(reason string) []func() {
	var after []func()
	for _, h := range m.onClose {
		after = append(after, func() { h(reason) })
	}
	for _, s := range m.sockets {
		after = append(after, s.oncloseLocked(reason)...)
	}
	return after
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
	if m.eng != eng {
		m.mu.Unlock()
		return
	}
	m.log.Debug("client: connection closed", "reason", reason)
	m.eng = nil
	m.state = stateClosed
	m.backoff.reset()
	after := m.onCloseLocked(reason)
	if !m.opts.NoReconnection && !m.skipReconnect {
		after = append(after, m.reconnectLocked()...)
	}
	m.mu.Unlock()
	_ = eng.Close()
	run(after)
}

// destroyLocked is called when socket s stops being active: with no active
// socket left the Manager closes.
func (m *Manager) destroyLocked() (conn, []func()) {
	for _, s := range m.sockets {
		if s.active {
			return nil, nil
		}
	}
	return m.closeLocked("forced close")
}

// ---- packets ----

func (m *Manager) onEnginePacket(eng conn, p eio.Packet) {
	m.mu.Lock()
	if m.eng != eng {
		m.mu.Unlock()
		return
	}
	pkt, ok, err := m.dec.Decode(p)
	if err != nil {
		m.mu.Unlock()
		m.log.Debug("client: bad packet", "err", err)
		m.dropEngine(eng, engine.ReasonParseError)
		return
	}
	if !ok {
		m.mu.Unlock()
		return
	}
	s := m.sockets[pkt.NS()]
	if s == nil {
		m.mu.Unlock()
		return
	}
	after := s.onpacketLocked(&pkt)
	m.mu.Unlock()
	run(after)
}

// send writes a packet on the current connection.
func (m *Manager) sendLocked(p *sio.Packet) error {
	if m.eng == nil {
		return ErrNotConnected
	}
	return m.eng.Send(p.Encode()...)
}
