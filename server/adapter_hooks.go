package server

// Hooks for adapters that span several servers (package server/cluster and
// its transports). None of them is needed by the in-memory adapter.

// SessionTracker is an optional interface of an Adapter that keeps a live
// copy of every socket's connection state recovery session outside the
// process (in Redis, say), so that a client whose server is lost, not only
// disconnected, can be recovered by another server. When connection state
// recovery is on, the server calls TrackSession when a socket connects and
// after its rooms or data change, and ForgetSession when it disconnects for
// a reason after which it cannot be recovered. PersistSession is still
// called on the other disconnects. Both must return quickly (hand the work
// to a goroutine) and keep the order of the calls for one session: the
// calls for one socket are made one at a time, in the order its state
// changed.
type SessionTracker interface {
	TrackSession(s *SessionState)
	ForgetSession(pid string)
}

// NewMemoryAdapterWithoutRecovery returns an in-memory adapter of nsp that
// keeps no session and no packet for connection state recovery even when
// the server enables it: for an adapter that keeps them elsewhere (a cluster
// adapter whose sessions and packets live in Redis) and embeds a
// MemoryAdapter for its local sockets. Its Broadcast appends no offset.
func NewMemoryAdapterWithoutRecovery(nsp *Namespace) *MemoryAdapter {
	a := NewMemoryAdapter(nsp)
	a.recovery, a.sessions = nil, nil
	return a
}

// NextAckID returns a new ack id of the namespace, unique among those its
// sockets wait for: an adapter that relays a broadcast with acks from
// another server numbers its packet with it.
func (n *Namespace) NextAckID() uint64 { return n.nextAckID() }

// trackSession passes the socket's current session to the adapter when it is
// a SessionTracker and connection state recovery is on.
func (s *Socket) trackSession() {
	t, ok := s.nsp.adapter.(SessionTracker)
	if !ok || s.nsp.srv.opts.ConnectionStateRecovery == nil || !s.connected.Load() || s.closing.Load() {
		return
	}
	d := s.Data()
	// Under s.mu, so that the states reach the tracker in the order they
	// were read (a Join on another goroutine cannot pass an older state).
	s.mu.Lock()
	defer s.mu.Unlock()
	t.TrackSession(&SessionState{SID: s.id, PID: s.pid, Rooms: s.Rooms(), Data: d})
}

// forgetSession tells a SessionTracker adapter that the socket's session
// cannot be recovered any more.
func (s *Socket) forgetSession() {
	if t, ok := s.nsp.adapter.(SessionTracker); ok && s.nsp.srv.opts.ConnectionStateRecovery != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		t.ForgetSession(s.pid)
	}
}

// Recovery returns the connection state recovery options of the namespace's
// server (nil when recovery is off), with their defaults applied: an adapter
// that keeps sessions elsewhere expires them after MaxDisconnectionDuration.
func (n *Namespace) Recovery() *RecoveryOptions { return n.srv.opts.ConnectionStateRecovery }

// HasRoom reports whether room has a socket of this server (socket id rooms
// included): an adapter that subscribes to a channel per room (the sharded
// Redis adapter's dynamic mode) follows room creation and deletion with it.
func (a *MemoryAdapter) HasRoom(room string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if m := a.all[room]; m != nil && m.self {
		return true
	}
	return len(a.rooms[room]) > 0
}
