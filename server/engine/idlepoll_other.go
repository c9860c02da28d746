//go:build !linux

package engine

import "log/slog"

// idlePoll: idle websocket readers wait in goroutines of their own here (no
// epoll).
type idlePoll struct {
	enabled bool
	log     *slog.Logger
}

const idlePollDefault = false

// idleReg: nothing to keep.
//
//lint:ignore U1000 the websocket connection embeds it; in a js build nothing uses that connection type
type idleReg struct{}

// park: never parked here; the caller waits itself.
func (s *Session) park(*wsConn, int) bool { return false }

// stopParking: nothing is parked here.
func (c *wsConn) stopParking() {}

// close: nothing runs.
func (ip *idlePoll) close() {}
