package engine

import (
	"net/http"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/internal/ws"
)

// serveUpgrade accepts the WebSocket of an upgrade of polling session s
// (docs/protocol.md §1.7): "2probe" is answered with "3probe", then GETs with
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
		// The reference accepts the websocket and closes it at once.
		srv.acceptAndClose(w, r)
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

	c, err := srv.acceptWebsocket(w, r, false)
	if err != nil {
		s.mu.Lock()
		s.upgrading = false
		s.mu.Unlock()
		srv.log.Debug("engine: upgrade websocket handshake failed", "err", err)
		return
	}
	s.mu.Lock()
	if s.state != stateOpen {
		s.upgrading = false
		s.mu.Unlock()
		c.CloseNow()
		c.Finish()
		return
	}
	s.probe = c
	s.upgradeTimer = time.AfterFunc(srv.opts.UpgradeTimeout, func() { s.abortUpgrade(c) })
	s.mu.Unlock()

	for {
		typ, data, err := c.ReadMessage()
		if err != nil {
			s.abortUpgrade(c)
			c.Finish()
			return
		}
		p, err := eio.DecodeFrame(data, typ == ws.OpBinary)
		switch {
		case err == nil && p.Type == eio.Ping && p.IsProbe():
			if err := c.Out().WriteFrame(0x80|ws.OpText, -1, probeReply); err != nil {
				s.abortUpgrade(c)
				c.Finish()
				return
			}
			s.mu.Lock()
			if s.probe == c {
				s.startUpgradeCheckLocked(c)
			}
			s.mu.Unlock()
		case err == nil && p.Type == eio.Upgrade:
			if !s.completeUpgrade(c) {
				c.CloseNow()
				c.Finish()
				return
			}
			srv.log.Debug("engine: session upgraded to websocket")
			srv.goReadLoop(s, c)
			return
		default:
			s.abortUpgrade(c)
			c.Finish()
			return
		}
	}
}

// acceptAndClose accepts a websocket that cannot become the session's
// transport (the session is upgraded, being upgraded, or closing) and closes
// it at once, as the reference does: a close frame with no status code, then
// the client's close frame is awaited (at most ws.CloseWait).
func (srv *Server) acceptAndClose(w http.ResponseWriter, r *http.Request) {
	if !srv.acquire() {
		writeError(w, codeBadRequest, "")
		return
	}
	defer srv.release()
	c, err := srv.acceptWebsocket(w, r, false)
	if err != nil {
		srv.log.Debug("engine: websocket handshake failed", "err", err)
		return
	}
	_ = c.Out().WriteClose(nil) // a failed write: the connection is gone anyway
	c.DrainAndClose()
}

// upgradeCheckInterval is the period of the reference's upgrade check
// (engine.io 6.6 socket.js: setInterval(check, 100) from the probe on).
const upgradeCheckInterval = 100 * time.Millisecond

// startUpgradeCheckLocked (re)starts the upgrade check after a probe on c:
// every upgradeCheckInterval, a GET pending then is answered with a noop,
// as the reference does, so the client can pause polling and send "5".
func (s *Session) startUpgradeCheckLocked(c *wsConn) {
	s.stopUpgradeCheckLocked()
	var t *time.Timer
	t = time.AfterFunc(upgradeCheckInterval, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.probe != c || s.upgradeCheck != t || s.state != stateOpen {
			return
		}
		if !s.websocket && s.getActive {
			s.noopDue = true
			s.signalPollLocked()
		}
		t.Reset(upgradeCheckInterval)
	})
	s.upgradeCheck = t
}

// stopUpgradeCheckLocked ends the upgrade check (upgrade done or aborted).
func (s *Session) stopUpgradeCheckLocked() {
	if s.upgradeCheck != nil {
		s.upgradeCheck.Stop()
		s.upgradeCheck = nil
	}
	s.noopDue = false
}

// probeReply is the answer to a probe ping ("2probe"). Never modified.
var probeReply = []byte("3probe")

// completeUpgrade makes c the session's transport; false if the probe was
// aborted meanwhile.
func (s *Session) completeUpgrade(c *wsConn) bool {
	s.mu.Lock()
	if s.probe != c || s.state != stateOpen {
		s.mu.Unlock()
		return false
	}
	s.upgradeTimer.Stop()
	s.upgradeTimer = nil
	s.stopUpgradeCheckLocked()
	s.probe, s.upgrading = nil, false
	s.websocket = true
	s.conn = c
	s.srv.stats.upgraded()
	s.signalPollLocked() // a GET still pending gets a noop
	s.mu.Unlock()
	s.flushInline()
	return true
}

// abortUpgrade closes the probing websocket conn; polling continues.
func (s *Session) abortUpgrade(c *wsConn) {
	s.mu.Lock()
	if s.probe == c {
		s.abortUpgradeLocked()
	}
	s.mu.Unlock()
	c.CloseNow()
}

// abortUpgradeLocked forgets the upgrade in progress and returns the probing
// websocket, which the caller must close.
func (s *Session) abortUpgradeLocked() *wsConn {
	probe := s.probe
	if s.upgradeTimer != nil {
		s.upgradeTimer.Stop()
		s.upgradeTimer = nil
	}
	s.stopUpgradeCheckLocked()
	s.probe = nil
	if probe != nil {
		s.upgrading = false
	}
	return probe
}
