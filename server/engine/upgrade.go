package engine

import (
	"net/http"
	"time"

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
		c.closeNow()
		c.finish()
		return
	}
	s.probe = c
	s.upgradeTimer = time.AfterFunc(srv.opts.UpgradeTimeout, func() { s.abortUpgrade(c) })
	s.mu.Unlock()

	for {
		typ, data, err := c.readMessage()
		if err != nil {
			s.abortUpgrade(c)
			c.finish()
			return
		}
		p, err := eio.DecodeFrame(data, typ == opBinary)
		switch {
		case err == nil && p.Type == eio.Ping && p.IsProbe():
			if err := c.out.writeFrame(0x80|opText, -1, probeReply); err != nil {
				s.abortUpgrade(c)
				c.finish()
				return
			}
			s.mu.Lock()
			if s.probe == c {
				s.probed = true
				s.signalPollLocked()
			}
			s.mu.Unlock()
		case err == nil && p.Type == eio.Upgrade:
			if !s.completeUpgrade(c) {
				c.closeNow()
				c.finish()
				return
			}
			srv.log.Debug("engine: session upgraded to websocket")
			srv.goReadLoop(s, c)
			return
		default:
			s.abortUpgrade(c)
			c.finish()
			return
		}
	}
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
	s.probe, s.probed, s.upgrading = nil, false, false
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
	c.closeNow()
}

// abortUpgradeLocked forgets the upgrade in progress and returns the probing
// websocket, which the caller must close.
func (s *Session) abortUpgradeLocked() *wsConn {
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
