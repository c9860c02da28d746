package engine

import (
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/internal/ws"
)

// originAllowed reports whether a WebSocket request may proceed: any origin
// unless Options.CORS restricts them.
func (srv *Server) originAllowed(r *http.Request) bool {
	c := srv.opts.CORS
	if c == nil || c.anyOrigin() {
		return true
	}
	origin := r.Header.Get("Origin")
	return origin == "" || c.allows(origin)
}

// serveWebsocketHandshake opens a session over a new WebSocket and reads it
// until it closes.
func (srv *Server) serveWebsocketHandshake(w http.ResponseWriter, r *http.Request, q url.Values) {
	if !srv.originAllowed(r) {
		writeError(w, codeBadRequest, "")
		return
	}
	if !srv.acquire() {
		writeError(w, codeBadRequest, "")
		return
	}
	defer srv.release()
	c, err := srv.acceptWebsocket(w, r, true)
	if err != nil {
		srv.log.Debug("engine: websocket handshake failed", "err", err)
		return
	}
	s, ok := srv.newSession(r, q, TransportWebsocket, c)
	if !ok {
		c.Out().DropPrefix() // never sent: the client sees the connection end
		c.CloseNow()
		c.Finish()
		return
	}
	srv.goReadLoop(s, c)
}

// goReadLoop reads c in a goroutine of its own (counted by acquire, so Close
// waits for it) and lets ServeHTTP return: net/http then frees the request,
// its buffers and its goroutine's stack, which would otherwise stay alive as
// long as the websocket (about 10 KB per idle session).
func (srv *Server) goReadLoop(s *Session, c *wsConn) {
	if !srv.acquire() {
		s.terminate(ReasonServerShutdown, nil)
		c.DrainAndClose()
		return
	}
	s.readLoop(c, 0, 0, 0) // parks (or hands over to a goroutine) at the first idle point: at once, normally
}

// readLoop reads packets from the session's websocket until it fails or the
// session closes, then ends the connection. It owns a count of
// srv.acquire, released when it ends. woke is when the reader last woke up
// from a wait (0: it has not waited yet), lastWait how long that wait was.
//
// A connection with a descriptor (not TLS) is read inside one read of it
// (readInline, inlineread.go); one without, by readBlocking, which waits
// for each message in c.Wait, a shallow call. When the session looks idle (its first
// messages, or a message that came after a long wait), the reader parks the
// session (idlepoll_linux.go: no goroutine while idle; a goroutine is
// started when the connection is readable) and returns. Where parking is
// not possible (other systems, TLS, a closing connection) it hands the
// reading over to a new goroutine that waits: an idle session's reader is
// then a goroutine that never went deeper than that wait, on the smallest
// stack (2 KB), while one that handled a message (the handler, the writes)
// keeps 4 KB or more for good (the runtime's stack shrinking can't take it
// lower). A busy session keeps its goroutine: a goroutine start per message
// costs more than the memory is worth there.
//
// The clock is read once per wait, as the first message after it is read:
// that reading is when the message came (deliver's inline window starts there) and ends the
// wait, which is taken to have begun at the previous wake-up. The time the
// previous messages took to handle is thus counted as waiting: next to
// idleGap it is nothing, and a clock reading costs as much as a tenth of
// the engine's own work per message (vDSO clock_gettime, about 40 ns here).
func (s *Session) readLoop(c *wsConn, handoffs int, lastWait, woke time.Duration) {
	s.readInline(c, &inlineRead{handoffs: handoffs, lastWait: lastWait, woke: woke, readAt: woke})
}

// readBlocking is readLoop with blocking reads.
func (s *Session) readBlocking(c *wsConn, handoffs int, lastWait, woke time.Duration) {
	readAt := woke // the first message is read right after the wake-up
	for {
		if c.Idle() {
			if s.idleStop(handoffs, lastWait) {
				if !s.park(c, handoffs+1) {
					go s.waitAndRead(c, handoffs+1)
				}
				return
			}
			c.Wait()
			now := s.srv.now()
			lastWait, woke, readAt = now-woke, now, now
		}
		typ, data, err := c.ReadMessage()
		if err != nil {
			s.endRead(c, err)
			return
		}
		if ok, err := s.onMessage(typ, data, readAt); !ok {
			s.endMessages(c, err)
			return
		}
		readAt = 0 // the next one, if already buffered, came later: deliver reads the clock
	}
}

// idleStop is the hand-off policy of readLoop: whether the reader parks (or
// hands over) at the next idle point.
func (s *Session) idleStop(handoffs int, lastWait time.Duration) bool {
	return handoffs < idleHandoffs || lastWait >= idleGap
}

// onMessage gives a data message read at readAt (0: deliver reads the
// clock) to the session. False: the reader is done, as endMessages says
// (err: the message was not an Engine.IO packet).
func (s *Session) onMessage(typ byte, data []byte, readAt time.Duration) (bool, error) {
	p, err := eio.DecodeFrame(data, typ == ws.OpBinary)
	if err != nil {
		return false, err
	}
	return s.onPacketAt(p, true, readAt), nil
}

// endMessages ends the reader after onMessage returned false: the session
// is over, the connection closes after the close handshake, the reader's
// count is released.
func (s *Session) endMessages(c *wsConn, err error) {
	if err != nil {
		s.terminate(ReasonParseError, err)
	}
	c.DrainAndClose()
	s.srv.release()
}

// Hand-off policy of readLoop: the first idleHandoffs idle points of a
// session (the handshake's messages), then after any wait of idleGap or more.
const (
	idleHandoffs = 4
	idleGap      = 50 * time.Millisecond
)

// waitAndRead is a session's reader handed over by readLoop.
func (s *Session) waitAndRead(c *wsConn, handoffs int) {
	s.resumeRead(c, handoffs, s.srv.now())
}

// resumeRead waits for c (at once when it was parked and is now readable)
// and goes on reading; since is when the reader began to wait. It is small
// enough to be inlined into the goroutine that runs it: a frame less under
// every handler (readInline).
func (s *Session) resumeRead(c *wsConn, handoffs int, since time.Duration) {
	s.readInline(c, &inlineRead{handoffs: handoffs, woke: since, waited: true})
}

// endRead ends the session and its connection after ReadMessage failed with
// err, and releases the reader's count.
func (s *Session) endRead(c *wsConn, err error) {
	defer s.srv.release()
	var we *ws.Error
	switch {
	case errors.As(err, &we):
		c.SendClose(we.Code) // before the session's own close frame
		s.terminate(ReasonTransportError, err)
		c.DrainAndClose()
	case errors.Is(err, ws.ErrPeerClosed):
		c.CloseNow()
		c.Finish()
		s.terminate(ReasonTransportClose, nil)
	default:
		c.CloseNow()
		c.Finish()
		s.terminate(readCloseReason(err), err)
	}
}

// readCloseReason maps a connection's read error to a close reason.
func readCloseReason(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, os.ErrDeadlineExceeded) {
		return ReasonTransportClose
	}
	return ReasonTransportError
}

// inlineWindow: a kick during the first inlineWindow of a handler running on
// the reader goroutine is left to the reader, which writes the queue itself
// once the handler returns (no goroutine per reply). A handler that runs
// longer gets the flush goroutine, so that the sends of other goroutines
// are not held back by a slow handler.
const inlineWindow = 50 * time.Microsecond

// kickLocked starts the flush goroutine of a websocket session unless it is
// running (or the reader writes the queue inline): it writes what is queued
// and, once the session is no longer open, closes the connection. The
// goroutine takes the queue itself: what is sent until it runs goes out in
// the same write.
func (s *Session) kickLocked() {
	if s.flushing || s.conn == nil || s.connClosing {
		return
	}
	if s.state == stateOpen && len(s.queue) == 0 {
		return
	}
	if s.dispatching && s.srv.now()-s.dispatchSince < inlineWindow {
		s.kickPending = true
		return
	}
	if !s.srv.acquire() {
		return
	}
	s.flushing = true
	go s.flush(s.conn, false, nil, nil, 0)
}

// flushInline writes the queue from the calling goroutine (the reader, or
// the ServeHTTP call that accepted the websocket) unless a flush is running.
func (s *Session) flushInline() {
	s.mu.Lock()
	c, batch := s.startInlineFlushLocked()
	s.mu.Unlock()
	if c != nil {
		s.flush(c, true, batch, nil, 0)
	}
}

// startInlineFlushLocked makes the caller the session's flush unless one is
// running or there is nothing to do: it returns the connection and the
// batch to write (the queue, taken in the same critical section), or a nil
// connection.
func (s *Session) startInlineFlushLocked() (*wsConn, []eio.Packet) {
	if s.flushing || s.conn == nil || s.connClosing || (s.state == stateOpen && len(s.queue) == 0) {
		return nil, nil
	}
	s.flushing = true
	var batch []eio.Packet
	if s.state != stateClosed {
		batch, s.queue = s.queue, nil
	}
	return s.conn, batch
}

// flush writes batch (taken from the queue by the caller, or nil) and then
// the queue to c in batches until it is empty: what it takes from the queue
// at once is written with one write to the connection (bounded by
// ws.BufferSize). Inline (on the reader goroutine, which owns no count of
// its own for it) it writes one batch and hands the rest over to the flush
// goroutine: the reader does not stay to write for others.
//
// A reader that flushes from inside its ReadInline callback passes its
// connection rc and the descriptor fd the callback was given: when c is
// rc, the batch is written on fd (ws.Writer.EndFD).
func (s *Session) flush(c *wsConn, inline bool, batch []eio.Packet, rc *wsConn, fd uintptr) {
	if !inline {
		defer s.srv.release()
	}
	var written int64   // data of the batch written last
	var scratch *[]byte // a base64 packet's text, to write it as one frame
	defer func() {
		if scratch != nil {
			ws.PutBuffer(scratch)
		}
	}()
	for wrote := false; ; {
		if len(batch) > 0 {
			if err := s.writeBatch(c, batch, &scratch, c == rc, fd); err != nil {
				s.mu.Lock()
				s.flushing = false
				s.connClosing = true
				s.mu.Unlock()
				c.CloseNow()
				if !errors.Is(err, net.ErrClosed) {
					s.srv.log.Debug("engine: websocket write failed", "err", err)
				}
				s.terminate(ReasonTransportError, err)
				return
			}
			written, wrote = dataLen(batch), true
			clear(batch)
		}
		s.mu.Lock()
		s.wroteLocked(written)
		written = 0
		if s.state == stateClosed || len(s.queue) == 0 {
			s.flushing = false
			closing := s.state != stateOpen
			if closing {
				s.connClosing = true
				if s.state == stateClosed && s.closeTimer != nil {
					s.closeTimer.Stop() // the write it guarded is done
				}
			}
			if cap(s.queue) > 64 {
				s.queue = nil
			}
			if s.queue == nil && cap(batch) <= 64 && !closing {
				// The next Send appends to this (cleared) slice: a session
				// that sends one reply at a time allocates no queue.
				s.queue = batch[:0]
			}
			graceful := s.state == stateClosing
			s.mu.Unlock()
			if closing {
				if graceful {
					// Everything queued is written: the session is over for
					// the application now, as in the reference, not after the
					// peer's side of the close handshake (a client that
					// reconnects at once finds its recovery state saved).
					s.terminate(ReasonForcedClose, nil)
				}
				c.StartClose()
			}
			return
		}
		if inline && wrote && s.srv.acquire() {
			s.mu.Unlock()
			go s.flush(c, false, nil, nil, 0) // flushing stays true: the goroutine takes over
			return
		}
		batch, s.queue = s.queue, batch[:0]
		s.mu.Unlock()
	}
}

// writeBatch writes the packets of batch with one write to c (a larger
// batch than ws.BufferSize with more); onFD: on the descriptor fd of c's
// reader, inside its ReadInline callback.
func (s *Session) writeBatch(c *wsConn, batch []eio.Packet, scratch **[]byte, onFD bool, fd uintptr) error {
	c.Out().Begin()
	var err error
	for i := range batch {
		if err = s.writePacket(c, batch[i], scratch); err != nil {
			break
		}
	}
	var endErr error
	if onFD {
		endErr = c.Out().EndFD(fd)
	} else {
		endErr = c.Out().End()
	}
	if err == nil {
		err = endErr
	}
	return err
}

// writePacket writes one packet as one websocket message of one frame:
// binary data as a binary message, other packets as a text message made of
// the type character and the data, straight into the open batch. Messages
// of wsCompressionThreshold bytes or more are compressed when
// permessage-deflate was negotiated, once for all the sessions of the server
// that write the same message (a broadcast: the server's deflate cache). In base64 mode (b64) binary data is
// written as "b"+base64 text put together in *scratch, a pooled buffer that
// the caller puts back.
func (s *Session) writePacket(c *wsConn, p eio.Packet, scratch **[]byte) error {
	out := c.Out()
	op, lead, data := byte(ws.OpText), -1, p.Data
	switch {
	case p.Binary && !s.b64:
		op = ws.OpBinary
	case p.Binary: // b64 mode
		if *scratch == nil {
			*scratch = ws.GetBuffer()
		}
		buf := append((**scratch)[:0], 'b')
		buf = base64.StdEncoding.AppendEncode(buf, p.Data)
		if cap(buf) <= ws.BufferSize {
			**scratch = buf[:0]
		} // else: a large packet's buffer is not kept
		data = buf
	default:
		typ := p.Type
		if typ > eio.Noop {
			typ = eio.Noop
		}
		lead = '0' + int(typ) // the type character
	}
	if c.Deflate() && len(data) >= wsCompressionThreshold {
		return out.BatchCompressed(&s.srv.deflate, op, lead, data)
	}
	return out.BatchFrame(0x80|op, lead, data)
}
