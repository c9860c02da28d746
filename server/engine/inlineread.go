package engine

import (
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/internal/ws"
)

// inlineRead is a session's reader inside ws.Conn.ReadInline: the whole
// read loop (read, parse, deliver, which runs the handler and writes its
// reply) runs in one read of the descriptor while the session is busy, one
// read(2) per message (no attempt that finds nothing; ws/inline.go). It
// leaves for anything else: an idle point where readLoop's policy parks or
// hands over, an error, the end of the session; what follows then runs
// outside, where the connection may be read with blocking reads again
// (DrainAndClose).
type inlineRead struct {
	handoffs int
	// lastWait, woke, readAt: as in readLoop.
	lastWait, woke, readAt time.Duration
	// waited: the reader waited since its last message; the next message
	// reads the clock.
	waited bool
	// stopIdle: leave at the next idle point (readLoop's policy; never
	// before a wake-up's first message).
	stopIdle bool

	exit inlineExit // why the callback returned true
	err  error      // the error of exitRead or exitDone
}

// inlineExit is why the reader left the descriptor's read.
type inlineExit uint8

const (
	exitIdle inlineExit = iota // an idle point where the reader parks or hands over
	exitRead                   // ReadRaw's error
	exitDone                   // the reader is done, as for onMessage's false
)

// readInline reads c inside ws.Conn.ReadInline (with r's state) until it
// leaves, and does what the leaving asks for; a connection without a
// descriptor (TLS) is read by readBlocking.
//
// The handlers run under the frames of this function, ReadInline, the
// runtime's RawRead and the callback: the callback is a function literal
// (no method value's wrapper) that gives a message packet straight to
// deliver (no onPacketAt frame), and resumeRead is inlined, so that the
// reader of a busy session stays within a 4 KB stack with a usual handler
// (Socket.IO, an ack): one that grows to 8 KB is shrunk by every GC while
// it waits, and grows again (a stack copy each time).
func (s *Session) readInline(c *wsConn, r *inlineRead) {
	if c.RawConn() == nil {
		if r.waited {
			c.Wait()
			now := s.srv.now()
			r.lastWait, r.woke = now-r.woke, now
		}
		s.readBlocking(c, r.handoffs, r.lastWait, r.woke)
		return
	}
	r.stopIdle = !r.waited && s.idleStop(r.handoffs, r.lastWait)
	if err := c.ReadInline(func(fd uintptr) bool {
		// ReadInline's callback: it reads and handles messages until it
		// has to wait (false) or leave (true, r.exit says why).
		for {
			typ, data, res, err := c.ReadRaw(fd, r.stopIdle)
			switch res {
			case ws.RawWait:
				// After the wait, a message is read before the next idle
				// point, as readBlocking does.
				r.waited, r.stopIdle = true, false
				return false
			case ws.RawIdle:
				r.exit = exitIdle
				return true
			case ws.RawError:
				r.exit, r.err = exitRead, err
				return true
			}
			if r.waited {
				// The first message after a wait: the clock is read once,
				// as it came (a wake-up that finds nothing reads none).
				now := s.srv.now()
				r.lastWait, r.woke, r.readAt, r.waited = now-r.woke, now, now, false
			}
			p, err := eio.DecodeFrame(data, typ == ws.OpBinary)
			if err == nil && p.Type == eio.Message {
				// onPacketAt's case of a message, without its frame.
				s.srv.stats.received(p)
				s.deliver(p, r.readAt, c, fd)
			} else if err != nil || !s.onPacketAt(p, true, r.readAt) {
				r.exit, r.err = exitDone, err
				return true
			}
			r.readAt = 0 // the next one, if already buffered, came later: deliver reads the clock
			r.stopIdle = s.idleStop(r.handoffs, r.lastWait)
		}
	}); err != nil {
		// The wait failed (closed, the close handshake's deadline): c
		// reports err once what is buffered is used.
		s.readBlocking(c, r.handoffs, r.lastWait, r.woke)
		return
	}
	switch r.exit {
	case exitIdle:
		if !s.park(c, r.handoffs+1) {
			go s.waitAndRead(c, r.handoffs+1)
		}
	case exitRead:
		s.endRead(c, r.err)
	case exitDone:
		s.endMessages(c, r.err)
	}
}
