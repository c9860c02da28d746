package client

// fastPath is what the browser's io (client/wasm) passes as
// engine.Options.Loader: the loader's table of the namespaces whose plain
// events (EVENT packets without attachments) the loader may parse and hand
// to the page itself, without passing them through the Manager. The Manager
// keeps the table right, under its lock, as its sockets change state: a
// namespace is listed while its socket is connected on the current
// connection, has SocketOptions.NonBlockingHandlers (its handlers are the
// page's, called from the receiving callback) and no connection state
// recovery (whose offsets the Manager reads from every event). Its events
// then need nothing from the Manager but their delivery: not the receive
// buffer (only used while disconnected) nor the offsets.
type fastPath interface {
	// BindManager gives the table the Manager's idle (see fastIdle) and ack
	// (see fastAck), once, when the Manager is made.
	BindManager(idle func() bool, ack func(nsp string, id uint64, args ...any) error)
	// SetNamespace lists or unlists nsp. It is called with the Manager's
	// lock held: it must not call the Manager.
	SetNamespace(nsp string, on bool)
}

// fastLocked updates the loader's table for s (m.mu held).
func (s *Socket) fastLocked() {
	if f := s.m.fast; f != nil && s.opts.NonBlockingHandlers {
		f.SetNamespace(s.nsp, s.connected && s.pid == "")
	}
}

// fastIdle reports whether the Manager has handled everything it was given
// and run every callback that followed: nothing queued or running, no binary
// packet waiting for its attachments, the connection open. The loader
// dispatches an event itself only then, so that the page sees it after
// everything that arrived before it.
func (m *Manager) fastIdle() bool {
	m.mu.Lock()
	idle := m.state == stateOpen && len(m.callbacks) == 0 && !m.inLoop && !m.dec.Pending()
	m.mu.Unlock()
	return idle
}

// fastAck sends the ack of event id of namespace nsp, an event the loader
// dispatched itself (the Manager has no Event for it), while nsp is
// connected; as Event.Ack.
func (m *Manager) fastAck(nsp string, id uint64, args ...any) error {
	p, err := newAck(&m.enc, nsp, id, args)
	if err != nil {
		return err
	}
	m.mu.Lock()
	err = ErrNotConnected
	if s := m.sockets[nsp]; s != nil && s.connected {
		err = m.sendLocked(&p)
	}
	m.mu.Unlock()
	return err
}
