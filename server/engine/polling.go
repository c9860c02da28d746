package engine

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// servePoll answers a polling GET: at once with what is queued, or when
// something is queued, the session closes or an upgrade needs a noop.
func (s *Session) servePoll(x *exchange) {
	s.mu.Lock()
	if s.getActive {
		s.mu.Unlock()
		x.writeEmpty(http.StatusBadRequest)
		s.terminate(ReasonTransportError, ErrPollOverlap)
		return
	}
	s.getActive = true
	for {
		pkts, trailer, ok := s.pollReplyLocked()
		if ok {
			s.getActive, s.noopDue, s.pollYield = false, false, false
			finish := s.state == stateClosing
			s.mu.Unlock()
			buf := pollBodies.Get().(*[]byte)
			body := eio.AppendPayload((*buf)[:0], pkts...)
			if trailer.Type != 0 {
				if len(body) > 0 {
					body = append(body, eio.Separator)
				}
				body = trailer.AppendText(body)
			}
			s.recycleQueue(pkts)
			if finish {
				// Gone from the server before the client reads the close packet.
				s.terminate(ReasonForcedClose, nil) // the reason given to Close wins
			}
			x.writePoll(s.srv, body) // nothing keeps body after it returns
			if cap(body) <= maxPooledPollBody {
				*buf = body[:0]
			}
			pollBodies.Put(buf)
			return
		}
		if !x.waitLocked(s) {
			s.getActive, s.noopDue, s.pollYield = false, false, false
			s.mu.Unlock()
			s.terminate(ReasonTransportError, ErrPollAborted)
			return
		}
		if s.pollYield {
			// Woken by a send from another session's handler or from
			// outside any handler: most likely the first message of a
			// burst (a broadcast loop) whose sender is still running.
			// Yield once, so that it can go on queueing before this GET
			// takes the queue: a burst then goes out in one response
			// rather than being cut wherever the scheduler switched
			// (pbcast: 2.4 -> 1.0-1.4 GETs per client per burst of 100);
			// again while the queue grows, maxPollYields times at most.
			// The cost: one trip through the scheduler. A reply sent by
			// the session's own handler (an ack) does not wait.
			s.pollYield = false
			for range maxPollYields {
				n := len(s.queue)
				s.mu.Unlock()
				runtime.Gosched()
				s.mu.Lock()
				if len(s.queue) == n || s.state != stateOpen {
					break // the sender stopped queueing (or the session ends)
				}
			}
		}
	}
}

// maxPollYields bounds the yields of a woken GET while its queue keeps
// growing (a burst still being queued): a steady stream of sends delays a
// GET by this many trips through the scheduler at most.
const maxPollYields = 4

// pollBodies holds the buffers polling responses are put together in: a
// broadcast to many polling clients answers each one's GET with a body of
// many packets, allocated (and collected) once per response before.
var pollBodies = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledPollBody bounds the buffers pollBodies keeps.
const maxPooledPollBody = 64 << 10

// maxRecycledQueue bounds the queue a polling session keeps for its next
// packets between two GETs (packets: 40 bytes each).
const maxRecycledQueue = 64 // as the websocket flush (websocket.go)

// recycleQueue gives the slice of packets a GET took back to the session as
// its queue, when the queue is still empty, so that the next packets do not
// grow a new slice from nothing (1, 2, 4 ... per GET of a broadcast).
func (s *Session) recycleQueue(pkts []eio.Packet) {
	if cap(pkts) == 0 || cap(pkts) > maxRecycledQueue {
		return
	}
	clear(pkts)
	s.mu.Lock()
	if s.queue == nil && s.state == stateOpen && !s.websocket {
		s.queue = pkts[:0]
	}
	s.mu.Unlock()
}

// pollReplyLocked returns what a GET answers now: queued packets and a
// trailing close or noop packet (Type 0 = none); ok is false when the GET
// must keep waiting.
func (s *Session) pollReplyLocked() (pkts []eio.Packet, trailer eio.Packet, ok bool) {
	switch {
	case s.state == stateClosed:
		if s.peerClosed {
			return nil, eio.NoopPacket, true
		}
		return nil, eio.ClosePacket, true
	case s.state == stateClosing:
		pkts, s.queue, s.queuedBytes = s.queue, nil, 0
		return pkts, eio.ClosePacket, true
	case s.websocket: // upgraded while this GET waited
		return nil, eio.NoopPacket, true
	case len(s.queue) > 0:
		pkts, s.queue, s.queuedBytes = s.queue, nil, 0
		return pkts, eio.Packet{}, true
	case s.noopDue:
		s.noopDue = false
		return nil, eio.NoopPacket, true
	}
	return nil, eio.Packet{}, false
}

// errStop ends payload decoding after a packet that closed the session.
var errStop = errors.New("engine: stop decoding")

// serveData answers a polling POST: decodes its packets and handles them.
func (s *Session) serveData(x *exchange) {
	if x.binaryContent() {
		x.writeEmpty(http.StatusBadRequest)
		s.terminate(ReasonTransportError, ErrBinaryContent)
		return
	}
	s.mu.Lock()
	if s.postActive {
		s.mu.Unlock()
		x.writeEmpty(http.StatusBadRequest)
		s.terminate(ReasonTransportError, ErrPollOverlap)
		return
	}
	// The body is read under a read deadline the session can move: a
	// session that ends while its POST is still arriving ends the POST too
	// (the reference destroys the request).
	s.postActive = true
	if x.fc != nil {
		s.postConn = x.fc.conn
	} else {
		s.postW = x.w
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.postActive, s.postW, s.postConn = false, nil, nil
		s.mu.Unlock()
	}()

	limit := s.srv.opts.MaxHTTPBufferSize
	var body []byte
	var err error
	if n := x.contentLength(); n > limit {
		err = fmt.Errorf("%w: POST body of %d bytes", eio.ErrPayloadTooLarge, n)
	} else {
		body, err = readBody(x.body(), n, limit)
	}
	// The body is read: abortPostLocked must not move the read deadline of
	// the connection any more. net/http reads it in the background meanwhile
	// (to see the client go away), and a timeout it did not cause cancels
	// the context of the connection: every later request on it (a browser
	// reuses it for other sessions) would find its context done at once.
	s.mu.Lock()
	s.postW, s.postConn = nil, nil
	s.mu.Unlock()
	if errors.Is(err, eio.ErrPayloadTooLarge) {
		// 413, and the session is over: the reference's client closes it on
		// this answer (docs/protocol.md §1.9).
		x.writeEmpty(http.StatusRequestEntityTooLarge)
		s.terminate(ReasonTransportError, err)
		return
	}
	if err != nil {
		if !s.alive() {
			// The session ended while its body was arriving: drop the
			// connection without an answer, as the reference does.
			x.drop()
			return
		}
		x.writeEmpty(http.StatusBadRequest)
		s.terminate(ReasonTransportError, fmt.Errorf("engine: reading a POST body: %w", err))
		return
	}
	err = eio.DecodePayload(body, 0, func(p eio.Packet) error {
		if !s.onPacket(p, false) {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		x.writeEmpty(http.StatusBadRequest)
		s.terminate(ReasonParseError, err)
		return
	}
	x.writeOK()
}

// abortPostLocked ends the body read of the POST in progress, if any.
func (s *Session) abortPostLocked() {
	switch {
	case s.postW != nil:
		_ = http.NewResponseController(s.postW).SetReadDeadline(time.Now())
	case s.postConn != nil: // Server.Serve's connection
		_ = s.postConn.SetReadDeadline(time.Now())
	}
}

// binaryContentType reports whether a POST's Content-Type (its first
// value) is application/octet-stream (refused in v4: docs/protocol.md
// §1.4), as mime.ParseMediaType would read it; without parsing it when its
// type is another.
func binaryContentType(v string) bool {
	if v == "" {
		return false
	}
	base, _, _ := strings.Cut(v, ";")
	if !strings.EqualFold(strings.TrimSpace(base), "application/octet-stream") {
		return false
	}
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && mt == "application/octet-stream"
}

// Header values shared by the responses (net/http copies them when it
// writes the header; never modified in place).
var (
	hdrTextPlain = []string{"text/plain; charset=UTF-8"}
	hdrTextHTML  = []string{"text/html"}
	hdrNoStore   = []string{"no-store"}
	hdrLength2   = []string{"2"}
)

// readBody reads a request body of at most limit bytes into a fresh slice
// that grows as bytes arrive (never more than twice what arrived, nor more
// than the announced length): a client that announces a large body and sends
// nothing costs no memory. Over the limit it returns an error matching
// eio.ErrPayloadTooLarge.
func readBody(body io.Reader, length, limit int64) ([]byte, error) {
	bound := limit + 1 // one byte over the limit tells that the body is too large
	if length >= 0 && length < limit {
		bound = length + 1 // room for the EOF read
	}
	buf := make([]byte, 0, min(512, bound))
	for {
		if int64(len(buf)) > limit {
			return nil, fmt.Errorf("%w: POST body over %d bytes", eio.ErrPayloadTooLarge, limit)
		}
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), max(min(2*int64(cap(buf)), bound), int64(len(buf))+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, fmt.Errorf("%w: POST body over %d bytes", eio.ErrPayloadTooLarge, limit)
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
