package engine

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/internal/ws"
)

// Server is an Engine.IO v4 server. Mount it (ServeHTTP) at the path its
// clients use, e.g. "/engine.io/"; it serves every request that reaches it.
type Server struct {
	opts        Options
	log         *slog.Logger
	stats       counters // stats.go
	start       time.Time
	compressors compressors
	deflate     ws.DeflateCache // compressed websocket messages shared by sessions
	cookie      *http.Cookie    // the session cookie without its value; nil: none
	idle        idlePoll        // parks idle websocket readers (Linux)

	mu       sync.Mutex
	sessions map[string]*Session
	closed   bool
	active   int                  // goroutines and ServeHTTP calls that own a websocket
	conns    map[*wsConn]struct{} // accepted websockets whose reader has not finished
	late     lateIDs              // sessions lately closed by their client
	drained  chan struct{}        // closed when closed && no session && active == 0
}

// NewServer returns a Server configured by opts (nil: defaults). opts.OnSession
// is required: NewServer panics without it, as it is a programming error.
func NewServer(opts *Options) *Server {
	o := opts.withDefaults()
	if o.OnSession == nil {
		panic("engine: Options.OnSession is required")
	}
	srv := &Server{
		opts:     o,
		log:      o.Logger,
		start:    time.Now(),
		sessions: make(map[string]*Session),
		conns:    make(map[*wsConn]struct{}),
	}
	if o.Cookie != nil {
		srv.cookie = o.Cookie.template()
	}
	srv.idle.log, srv.idle.enabled = o.Logger, idlePollDefault
	return srv
}

// now returns the monotonic time since the server started, for deadlines.
func (srv *Server) now() time.Duration { return time.Since(srv.start) }

// SessionCount returns the number of open sessions.
func (srv *Server) SessionCount() int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return len(srv.sessions)
}

// ServeHTTP handles an Engine.IO request: handshake, polling GET/POST,
// WebSocket (new session or upgrade).
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c := srv.opts.CORS; c != nil && c.apply(w, r) {
		return
	}
	q := parseRequestQuery(r.URL.RawQuery)
	if q.eio != "4" {
		writeError(w, codeUnsupportedVersion, "")
		return
	}
	transport := q.transport
	if transport == "" || !slices.Contains(srv.opts.Transports, transport) ||
		(transport != TransportPolling && transport != TransportWebsocket) {
		writeError(w, codeUnknownTransport, "")
		return
	}
	if origin := r.Header["Origin"]; len(origin) > 0 && !validHeaderValue(origin[0]) {
		writeError(w, codeBadRequest, "")
		return
	}
	sid := q.sid
	if sid == "" {
		srv.handshake(w, r, r.URL.Query(), transport, ws.IsUpgradeRequest(r))
		return
	}
	srv.mu.Lock()
	s := srv.sessions[sid]
	srv.mu.Unlock()
	if s == nil || !s.alive() {
		if transport == TransportPolling && r.Method == http.MethodGet && !ws.IsUpgradeRequest(r) && srv.lateGET(sid) {
			// Sent before the close packet that was handled first: the
			// answer it would have had (docs/protocol.md §1.8).
			srv.writePollBody(w, r, []byte{'0' + byte(eio.Noop)})
			return
		}
		writeError(w, codeUnknownSID, "")
		return
	}
	if transport == TransportWebsocket && ws.IsUpgradeRequest(r) {
		srv.serveUpgrade(w, r, s)
		return
	}
	if s.Transport() != transport || transport != TransportPolling {
		writeError(w, codeBadRequest, "")
		return
	}
	x := exchange{w: w, r: r}
	switch r.Method {
	case http.MethodGet:
		s.servePoll(&x)
	case http.MethodPost:
		s.serveData(&x)
	default:
		writeError(w, codeBadRequest, "")
	}
}

// handshake creates a session.
func (srv *Server) handshake(w http.ResponseWriter, r *http.Request, q url.Values, transport string, upgrade bool) {
	if r.Method != http.MethodGet {
		writeError(w, codeBadHandshakeMethod, "")
		return
	}
	if transport == TransportWebsocket && !upgrade {
		writeError(w, codeBadRequest, "")
		return
	}
	if srv.opts.AllowRequest != nil {
		if err := srv.opts.AllowRequest(r); err != nil {
			writeError(w, codeForbidden, err.Error())
			return
		}
	}
	if transport == TransportWebsocket {
		srv.serveWebsocketHandshake(w, r, q)
		return
	}
	s, ok := srv.newSession(r, q, transport, nil)
	if !ok {
		writeError(w, codeBadRequest, "server shutting down")
		return
	}
	pkts := s.takeHandshakeQueue()
	if len(pkts) == 0 { // closed at once (in OnSession)
		writeError(w, codeBadRequest, "")
		return
	}
	if srv.cookie != nil {
		c := *srv.cookie
		c.Value = s.id
		http.SetCookie(w, &c)
	}
	srv.writePollBody(w, r, eio.AppendPayload(nil, pkts...))
}

// upgrades returns the upgrades advertised to a session opened on transport.
func (srv *Server) upgrades(transport string) []string {
	if transport == TransportPolling && !srv.opts.DisableUpgrades &&
		slices.Contains(srv.opts.Transports, TransportWebsocket) {
		return []string{TransportWebsocket}
	}
	return []string{}
}

// register adds s to the session table; false when the server is closed.
func (srv *Server) register(s *Session) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.sessions[s.id] = s
	return true
}

// unregister removes s from the session table.
func (srv *Server) unregister(s *Session) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.sessions[s.id] == s {
		delete(srv.sessions, s.id)
	}
	srv.checkDrainedLocked()
}

// addLate remembers the id of a session its client closed while no GET was
// pending, for lateRequestWindow (see lateGET). Called before the session
// is seen closed.
func (srv *Server) addLate(sid string) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if !srv.closed {
		srv.late.add(sid, srv.now()+lateRequestWindow)
	}
}

// lateGET reports whether a polling GET for sid, a session that is closed, is
// the one its client sent before its close packet (the first
// such GET: a client has one GET in flight at most).
func (srv *Server) lateGET(sid string) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.late.take(sid, srv.now())
}

// acquire counts a goroutine (or ServeHTTP call) that the server owns; false
// when the server is closed and nothing is running anymore.
func (srv *Server) acquire() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed && srv.drained != nil && srv.active == 0 && len(srv.sessions) == 0 {
		return false
	}
	srv.active++
	return true
}

// release ends what acquire started.
func (srv *Server) release() {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.active--
	srv.checkDrainedLocked()
}

func (srv *Server) checkDrainedLocked() {
	if srv.closed && srv.drained != nil && srv.active == 0 && len(srv.sessions) == 0 {
		select {
		case <-srv.drained:
		default:
			close(srv.drained)
		}
	}
}

// track records an accepted websocket until its reader finishes
// (untrack), so that Close can cut it.
func (srv *Server) track(c *wsConn) {
	srv.mu.Lock()
	srv.conns[c] = struct{}{}
	srv.mu.Unlock()
}

// untrack forgets a websocket whose reader finished.
func (srv *Server) untrack(c *wsConn) {
	srv.mu.Lock()
	delete(srv.conns, c)
	srv.mu.Unlock()
}

// Close closes every session (ReasonServerShutdown, flushing what is queued),
// refuses new ones, and waits until every session is gone and every goroutine
// the server started has ended. The graceful part is bounded by
// shutdownGrace (and ctx): then the remaining sessions are dropped and every
// connection is cut, whatever state it is in (a session already closing, a
// websocket client that does not answer the close frame, a polling client
// that went away). It returns ctx.Err() if ctx ended first, nil otherwise.
func (srv *Server) Close(ctx context.Context) error {
	srv.mu.Lock()
	if srv.drained == nil {
		srv.drained = make(chan struct{})
	}
	srv.closed = true
	srv.late = lateIDs{}
	list := make([]*Session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		list = append(list, s)
	}
	srv.checkDrainedLocked()
	drained := srv.drained
	srv.mu.Unlock()

	// Parked readers wait in goroutines of their own again (no new session
	// parks now), and end as their sessions close.
	srv.idle.close()
	for _, s := range list {
		s.closeGracefully(ReasonServerShutdown, true)
	}
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	select {
	case <-drained:
		return nil
	case <-ctx.Done():
	case <-grace.C:
	}
	srv.mu.Lock()
	list = list[:0]
	for _, s := range srv.sessions {
		list = append(list, s)
	}
	conns := make([]*wsConn, 0, len(srv.conns))
	for c := range srv.conns {
		conns = append(conns, c)
	}
	srv.mu.Unlock()
	for _, s := range list {
		s.kill(ReasonServerShutdown, nil)
	}
	for _, c := range conns {
		c.CloseNow() // readers waiting for a close frame, flushes stuck in a write
	}
	// Terminated sessions close their connections at once: their goroutines
	// end promptly (a close handshake in progress is bounded by the
	// websocket package's own timeouts).
	t := time.NewTimer(forcedCloseWait)
	defer t.Stop()
	select {
	case <-drained:
	case <-t.C:
		srv.log.Warn("engine: goroutines still running after Close", "wait", forcedCloseWait)
	}
	return ctx.Err()
}

// validHeaderValue reports whether v has no character that is invalid in an
// HTTP header value (the reference's check of the Origin header).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// newSession creates a session for the handshake request r (q: its parsed
// query, kept by the session's RequestInfo), calls OnSession
// and registers it. c is the websocket of a websocket handshake (nil for
// polling): the open packet is written to it before newSession returns. It
// returns false when the server is closed.
func (srv *Server) newSession(r *http.Request, q url.Values, transport string, c *wsConn) (*Session, bool) {
	srv.mu.Lock()
	closed := srv.closed
	srv.mu.Unlock()
	if closed {
		return nil, false
	}
	s := &Session{
		srv:       srv,
		id:        newSID(),
		info:      newRequestInfo(r),
		websocket: transport == TransportWebsocket,
		b64:       q.Get("b64") != "",
	}
	if !s.websocket {
		s.poll = make(chan struct{}, 1)
	}
	hs := eio.Handshake{
		SID:          s.id,
		Upgrades:     srv.upgrades(transport),
		PingInterval: srv.opts.PingInterval.Milliseconds(),
		PingTimeout:  srv.opts.PingTimeout.Milliseconds(),
		MaxPayload:   srv.opts.MaxHTTPBufferSize,
	}
	s.queue = append(make([]eio.Packet, 0, 1), hs.OpenPacket())
	// Registered first, so that a session closed inside OnSession leaves the
	// table for good (nobody knows its id before the open packet is sent).
	if !srv.register(s) {
		return nil, false
	}
	srv.stats.accepted(transport)
	srv.opts.OnSession(s)
	if s.handler == nil {
		srv.log.Warn("engine: OnSession set no handler; the session's messages are dropped")
		s.handler = discardHandler{}
	}
	s.mu.Lock()
	if c != nil {
		s.conn = c
	}
	if s.state == stateOpen {
		s.startHeartbeatLocked()
	}
	s.mu.Unlock()
	if c != nil {
		s.flushInline() // writes the open packet (and closes c if OnSession closed s)
	}
	srv.log.Debug("engine: session opened", "transport", transport, "remote", r.RemoteAddr)
	return s, true
}

// takeHandshakeQueue returns what the handshake response of a polling
// session carries: the open packet and whatever OnSession sent.
func (s *Session) takeHandshakeQueue() []eio.Packet {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue, s.queuedBytes = nil, 0
	return q
}
