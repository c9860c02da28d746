package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

// typeChars holds the type characters of text packets ('0'+Type), sliced to
// write one without allocating. Never modified.
var typeChars = []byte("0123456")

// acceptOptions returns the options of websocket.Accept. Origins are checked
// by originAllowed (the reference accepts any origin on WebSocket).
func (srv *Server) acceptOptions() *websocket.AcceptOptions {
	o := &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled}
	if srv.opts.PerMessageDeflate {
		o.CompressionMode = websocket.CompressionNoContextTakeover
		o.CompressionThreshold = wsCompressionThreshold
	}
	return o
}

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
	hw := &smallBufferWriter{ResponseWriter: w, holdSwitch: true}
	conn, err := websocket.Accept(hw, r, srv.acceptOptions())
	if err != nil {
		srv.log.Debug("engine: websocket handshake failed", "err", err)
		return
	}
	rd := hw.setupReader()
	conn.SetReadLimit(srv.opts.MaxHTTPBufferSize)
	s, ok := srv.newSession(r, q, TransportWebsocket, conn, hw.out)
	if !ok {
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	srv.goReadLoop(s, conn, rd)
}

// goReadLoop reads conn in a goroutine of its own (counted by acquire, so
// Close waits for it) and lets ServeHTTP return: net/http then frees the
// request, its buffers and its goroutine's stack, which would otherwise stay
// alive as long as the websocket (about 10 KB per idle session).
func (srv *Server) goReadLoop(s *Session, conn *websocket.Conn, rd *idleReader) {
	if !srv.acquire() {
		s.terminate(ReasonServerShutdown, nil)
		return
	}
	if rd != nil {
		s.readLoop(conn, rd, 0, 0) // hands over to a goroutine at the first idle point: at once, normally
		return
	}
	go s.readLoop(conn, nil, 0, 0)
}

// readLoop reads packets from the session's websocket until it fails or the
// session closes. It owns a count of srv.acquire, released when it ends.
//
// With rd (nil: not available) it waits for each message in rd.wait, a
// shallow call. When the session looks idle (its first messages, or a
// message that came after a long wait), it hands the reading over to a new
// goroutine that waits there and returns: an idle session's reader is then a
// goroutine that never went deeper than that wait, on the smallest stack (2
// KB), while one that handled a message (coder/websocket's Read, the
// handler) keeps 4 KB or more for good (the runtime's stack shrinking can't
// take it lower). A busy session keeps its goroutine: a goroutine start per
// message costs more than the memory is worth there.
func (s *Session) readLoop(conn *websocket.Conn, rd *idleReader, handoffs int, lastWait time.Duration) {
	ctx := context.Background() // the connection is closed to end a Read
	for {
		if rd != nil && s.startIdle(rd) {
			if handoffs < idleHandoffs || lastWait >= idleGap {
				go s.waitAndRead(conn, rd, handoffs+1)
				return
			}
			start := s.srv.now()
			rd.wait()
			lastWait = s.srv.now() - start
		}
		typ, data, err := conn.Read(ctx)
		if err != nil {
			s.terminate(readCloseReason(err), err)
			s.srv.release()
			return
		}
		p, err := eio.DecodeFrame(data, typ == websocket.MessageBinary)
		if err != nil {
			s.terminate(ReasonParseError, err)
			s.srv.release()
			return
		}
		if !s.onPacket(p, true) {
			s.srv.release()
			return
		}
	}
}

// Hand-off policy of readLoop: the first idleHandoffs idle points of a
// session (the handshake's messages), then after any wait of idleGap or more.
const (
	idleHandoffs = 4
	idleGap      = 50 * time.Millisecond
)

// startIdle starts a wait of rd if nothing is left to read, unless the
// connection is closing (the close handshake reads it then); the caller must
// then call rd.wait.
func (s *Session) startIdle(rd *idleReader) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.connClosing && rd.tryStart()
}

// waitAndRead is a session's reader handed over by readLoop.
func (s *Session) waitAndRead(conn *websocket.Conn, rd *idleReader, handoffs int) {
	start := s.srv.now()
	rd.wait()
	s.readLoop(conn, rd, handoffs, s.srv.now()-start)
}

// readCloseReason maps a websocket read error to a close reason.
func readCloseReason(err error) string {
	switch websocket.CloseStatus(err) {
	case websocket.StatusMessageTooBig:
		return ReasonTransportError
	case -1:
	default:
		return ReasonTransportClose
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ReasonTransportClose
	}
	return ReasonTransportError
}

// kickLocked starts the flush goroutine of a websocket session unless it is
// running: it writes what is queued and, once the session is no longer open,
// closes the connection.
func (s *Session) kickLocked() {
	if s.flushing || s.conn == nil || s.connClosing {
		return
	}
	if s.state == stateOpen && len(s.queue) == 0 {
		return
	}
	if !s.srv.acquire() {
		return
	}
	s.flushing = true
	go s.flush(s.conn, s.out)
}

// flush writes the queue to conn in batches until it is empty: what it takes
// from the queue at once is written with one write to the connection (out
// accumulates the frames; bounded by maxBatchBytes).
func (s *Session) flush(conn *websocket.Conn, out *batchWriter) {
	defer s.srv.release()
	var batch []eio.Packet
	var written int64   // data of the batch written last
	var scratch *[]byte // a text packet's type char and data, to write it as one frame
	defer func() {
		if scratch != nil {
			*scratch = (*scratch)[:0]
			batchBufs.Put(scratch)
		}
	}()
	for {
		s.mu.Lock()
		s.wroteLocked(written)
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
				s.closeConn(conn)
			}
			return
		}
		batch, s.queue = s.queue, batch[:0]
		s.mu.Unlock()
		written = dataLen(batch)
		batched := out != nil
		if batched {
			out.begin()
		}
		var err error
		for i := range batch {
			if scratch == nil && (s.b64 || s.srv.opts.PerMessageDeflate || out == nil) {
				scratch = batchBufs.Get().(*[]byte)
			}
			if err = s.writePacket(conn, out, batch[i], scratch); err != nil {
				break
			}
		}
		if batched {
			if endErr := out.end(); err == nil {
				err = endErr
			}
		}
		clear(batch)
		if err != nil {
			s.mu.Lock()
			s.flushing = false
			s.connClosing = true
			s.mu.Unlock()
			conn.CloseNow()
			if !errors.Is(err, net.ErrClosed) {
				s.srv.log.Debug("engine: websocket write failed", "err", err)
			}
			s.terminate(ReasonTransportError, err)
			return
		}
	}
}

// closeConn closes a session's websocket with a normal closure (bounded by
// the websocket package's close handshake timeout).
func (s *Session) closeConn(conn *websocket.Conn) {
	err := conn.Close(websocket.StatusNormalClosure, "")
	if err != nil && !errors.Is(err, net.ErrClosed) && websocket.CloseStatus(err) == -1 {
		s.srv.log.Debug("engine: closing a websocket", "err", err)
	}
}

// writePacket writes one packet as one websocket message of one frame:
// binary data as a binary message, other packets as a text message made of
// the type character and the data. Without compression the frame goes
// straight into out's batch (coder/websocket's message writer, its locks
// and its deep calls are bypassed: it only writes control frames itself);
// with it, or for base64 binary, the payload is put together in *scratch, a
// pooled buffer the caller owns and puts back.
func (s *Session) writePacket(conn *websocket.Conn, out *batchWriter, p eio.Packet, scratch *[]byte) error {
	ctx := context.Background() // a stuck peer is caught by the heartbeat, which closes conn
	direct := out != nil && !s.srv.opts.PerMessageDeflate
	if p.Binary && !s.b64 {
		if direct {
			return out.writeFrame(opBinary, -1, p.Data)
		}
		return conn.Write(ctx, websocket.MessageBinary, p.Data)
	}
	t := int(p.Type)
	if t >= len(typeChars) {
		t = int(eio.Noop)
	}
	if direct && !p.Binary {
		return out.writeFrame(opText, t, p.Data)
	}
	buf := (*scratch)[:0]
	if p.Binary { // b64 mode
		buf = append(buf, 'b')
		buf = base64.StdEncoding.AppendEncode(buf, p.Data)
	} else {
		buf = append(append(buf, typeChars[t]), p.Data...)
	}
	var err error
	if direct {
		err = out.writeFrame(opText, -1, buf)
	} else {
		err = conn.Write(ctx, websocket.MessageText, buf)
	}
	if cap(buf) <= maxBatchBytes {
		*scratch = buf[:0]
	} // else: a large packet's buffer is not kept
	return err
}
