package engine

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

// serveUpgrade accepts the WebSocket of an upgrade of polling session s
// (PROTOCOL.md 1.7): "2probe" is answered with "3probe", then GETs with
// nothing to carry get a noop so the client can pause polling, and "5" makes
// the WebSocket the session's transport. Anything else aborts the upgrade, as
// does no "5" within UpgradeTimeout.
func (srv *Server) serveUpgrade(w http.ResponseWriter, r *http.Request, s *Session) {
	if srv.opts.DisableUpgrades || !srv.originAllowed(r) {
		writeError(w, codeBadRequest, "")
		return
	}
	s.mu.Lock()
	if s.state != stateOpen || s.websocket || s.upgrading {
		s.mu.Unlock()
		writeError(w, codeBadRequest, "")
		return
	}
	s.upgrading = true
	s.mu.Unlock()
	if !srv.acquire() {
		s.mu.Lock()
		s.upgrading = false
		s.mu.Unlock()
		writeError(w, codeBadRequest, "")
		return
	}
	defer srv.release()

	hw := &smallBufferWriter{ResponseWriter: w}
	conn, err := websocket.Accept(hw, r, srv.acceptOptions())
	if err != nil {
		s.mu.Lock()
		s.upgrading = false
		s.mu.Unlock()
		srv.log.Debug("engine: upgrade websocket handshake failed", "err", err)
		return
	}
	rd := hw.setupReader()
	conn.SetReadLimit(srv.opts.MaxHTTPBufferSize)
	s.mu.Lock()
	if s.state != stateOpen {
		s.upgrading = false
		s.mu.Unlock()
		conn.CloseNow()
		return
	}
	s.probe = conn
	s.upgradeTimer = time.AfterFunc(srv.opts.UpgradeTimeout, func() { s.abortUpgrade(conn) })
	s.mu.Unlock()

	ctx := context.Background()
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			s.abortUpgrade(conn)
			return
		}
		p, err := eio.DecodeFrame(data, typ == websocket.MessageBinary)
		switch {
		case err == nil && p.Type == eio.Ping && p.IsProbe():
			if err := conn.Write(ctx, websocket.MessageText, []byte("3probe")); err != nil {
				s.abortUpgrade(conn)
				return
			}
			s.mu.Lock()
			if s.probe == conn {
				s.probed = true
				s.signalPollLocked()
			}
			s.mu.Unlock()
		case err == nil && p.Type == eio.Upgrade:
			if !s.completeUpgrade(conn, hw.out) {
				conn.CloseNow()
				return
			}
			srv.log.Debug("engine: session upgraded to websocket")
			srv.goReadLoop(s, conn, rd)
			return
		default:
			s.abortUpgrade(conn)
			return
		}
	}
}

// completeUpgrade makes conn the session's transport; false if the probe was
// aborted meanwhile.
func (s *Session) completeUpgrade(conn *websocket.Conn, out *batchWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.probe != conn || s.state != stateOpen {
		return false
	}
	s.upgradeTimer.Stop()
	s.upgradeTimer = nil
	s.probe, s.probed, s.upgrading = nil, false, false
	s.websocket = true
	s.conn, s.out = conn, out
	s.signalPollLocked() // a GET still pending gets a noop
	s.kickLocked()
	return true
}

// abortUpgrade closes the probing websocket conn; polling continues.
func (s *Session) abortUpgrade(conn *websocket.Conn) {
	s.mu.Lock()
	if s.probe == conn {
		s.abortUpgradeLocked()
	}
	s.mu.Unlock()
	conn.CloseNow()
}

// abortUpgradeLocked forgets the upgrade in progress and returns the probing
// websocket, which the caller must close.
func (s *Session) abortUpgradeLocked() *websocket.Conn {
	probe := s.probe
	if s.upgradeTimer != nil {
		s.upgradeTimer.Stop()
		s.upgradeTimer = nil
	}
	s.probe, s.probed = nil, false
	if probe != nil {
		s.upgrading = false
	}
	return probe
}
