//go:build !js

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The polling floor (-polling): the least a Go server can do with net/http
// to pass the contract's polling scenarios (pecho, pbcast), so that the
// duplex polling figures can be read against what net/http's request
// handling costs. One http.Handler: the handshake GET opens a session, a GET
// with its sid waits until packets are queued and answers them all, joined
// by 0x1e, a POST's packets are handled at once. Of Socket.IO it knows the
// default namespace's CONNECT, "echo" (acked with its arguments verbatim)
// and "bcast" ({count,size} without room or json: count messages of size
// "x"s to every session, then an empty ack). No heartbeat, no upgrade, no
// rooms, no timeouts: a session lives until its client sends a close packet
// or the server stops. Anything else is answered 400.
type pollServer struct {
	log *slog.Logger

	mu       sync.Mutex
	sessions map[string]*pollSession
	list     []*pollSession // the sessions, in the order they opened (broadcast)

	// maxBroadcast bounds count × size of a "bcast" (bytes queued per
	// session); more is a bad packet.
	maxBroadcast int

	bodies sync.Pool // *[]byte: request and response bodies
}

// pollSession is one polling client: its queued packets, already joined by
// 0x1e, and the wake-up of its pending GET.
type pollSession struct {
	id    string
	mu    sync.Mutex
	queue []byte
	get   bool          // a GET is pending
	wake  chan struct{} // capacity 1
	gone  bool
}

func newPollServer(log *slog.Logger) *pollServer {
	ps := &pollServer{log: log, sessions: make(map[string]*pollSession), maxBroadcast: 1 << 30}
	ps.bodies.New = func() any { b := make([]byte, 0, 4096); return &b }
	return ps
}

// Header values shared by every response (never modified).
var (
	textPlain = []string{"text/plain; charset=UTF-8"}
	textHTML  = []string{"text/html"}
	lengthOK  = []string{"2"}
)

// maxPollBody bounds a POST body (the contract's maxPayload).
const maxPollBody = maxPayload

func (ps *pollServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.RawQuery
	if !strings.Contains(q, "EIO=4") || !strings.Contains(q, "transport=polling") {
		http.Error(w, "the polling floor serves EIO=4 polling only", http.StatusBadRequest)
		return
	}
	_, sid, ok := strings.Cut(q, "sid=")
	if !ok {
		if r.Method != http.MethodGet {
			http.Error(w, "handshake must be a GET", http.StatusBadRequest)
			return
		}
		ps.handshake(w)
		return
	}
	sid, _, _ = strings.Cut(sid, "&")
	ps.mu.Lock()
	s := ps.sessions[sid]
	ps.mu.Unlock()
	if s == nil {
		http.Error(w, "unknown sid", http.StatusBadRequest)
		return
	}
	switch r.Method {
	case http.MethodGet:
		ps.poll(w, r, s)
	case http.MethodPost:
		ps.post(w, r, s)
	default:
		http.Error(w, "method not allowed", http.StatusBadRequest)
	}
}

// handshake opens a session and answers its open packet.
func (ps *pollServer) handshake(w http.ResponseWriter) {
	s := &pollSession{wake: make(chan struct{}, 1)}
	const open1, open2 = `0{"sid":"`, `","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":`
	b := appendSID([]byte(open1))
	s.id = string(b[len(open1):])
	b = strconv.AppendInt(append(b, open2...), maxPayload, 10)
	b = append(b, '}')
	ps.mu.Lock()
	ps.sessions[s.id] = s
	ps.list = append(ps.list, s)
	ps.mu.Unlock()
	ps.write(w, b)
}

// write answers 200 with body as text/plain.
func (ps *pollServer) write(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h["Content-Type"] = textPlain
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// poll answers a GET with the queued packets, waiting for some if none are.
func (ps *pollServer) poll(w http.ResponseWriter, r *http.Request, s *pollSession) {
	s.mu.Lock()
	if s.get {
		s.mu.Unlock()
		http.Error(w, "overlapping GET", http.StatusBadRequest)
		return
	}
	s.get = true
	for len(s.queue) == 0 && !s.gone {
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-r.Context().Done():
			s.mu.Lock()
			s.get = false
			s.mu.Unlock()
			return
		}
		s.mu.Lock()
	}
	bp := ps.bodies.Get().(*[]byte)
	body := append((*bp)[:0], s.queue...)
	if s.gone {
		body = append(body[:0], '6') // noop
	}
	s.queue = s.queue[:0]
	s.get = false
	s.mu.Unlock()
	ps.write(w, body)
	*bp = body[:0]
	ps.bodies.Put(bp)
}

// send queues one packet for s and wakes its GET.
func (s *pollSession) send(parts ...[]byte) {
	s.mu.Lock()
	if len(s.queue) > 0 {
		s.queue = append(s.queue, 0x1e)
	}
	for _, p := range parts {
		s.queue = append(s.queue, p...)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// errBadPacket: a POST carried what the floor does not implement.
var errBadPacket = errors.New("floor: packet not implemented")

// post handles a POST's packets and answers "ok".
func (ps *pollServer) post(w http.ResponseWriter, r *http.Request, s *pollSession) {
	bp := ps.bodies.Get().(*[]byte)
	defer ps.bodies.Put(bp)
	body, err := readAll(r.Body, (*bp)[:0], maxPollBody)
	*bp = body[:0]
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for p := range bytes.SplitSeq(body, []byte{0x1e}) {
		if err := ps.onPacket(s, p); err != nil {
			ps.close(s)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	h := w.Header()
	h["Content-Type"] = textHTML
	h["Content-Length"] = lengthOK
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// readAll appends r's bytes to b, at most limit of them.
func readAll(r io.Reader, b []byte, limit int) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > limit {
			return b, errors.New("floor: POST body too large")
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// close ends s: it leaves the server, a pending GET gets a noop.
func (ps *pollServer) close(s *pollSession) {
	ps.mu.Lock()
	if ps.sessions[s.id] == s {
		delete(ps.sessions, s.id)
		// A new array: a broadcast may be going through the old one.
		ps.list = slices.DeleteFunc(slices.Clone(ps.list), func(o *pollSession) bool { return o == s })
	}
	ps.mu.Unlock()
	s.mu.Lock()
	s.gone = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

var (
	connectReply = []byte(`40{"sid":"`)
	bcastPrefix  = []byte(`["bcast",`)
	msgPrefix    = []byte(`42["msg","`)
	msgSuffix    = []byte(`"]`)
	emptyAck     = []byte("[]")
)

// onPacket handles one Engine.IO packet of a POST.
func (ps *pollServer) onPacket(s *pollSession, p []byte) error {
	switch {
	case len(p) == 0:
		return errBadPacket
	case p[0] == '3' || p[0] == '6': // pong, noop
		return nil
	case p[0] == '1': // close
		ps.close(s)
		return nil
	case p[0] != '4' || len(p) < 2:
		return errBadPacket
	}
	p = p[1:]
	switch p[0] {
	case '0': // CONNECT (an auth payload is ignored)
		if len(p) > 1 && p[1] == '/' {
			return errBadPacket
		}
		s.send(appendSID(append(make([]byte, 0, len(connectReply)+sidLen+2), connectReply...)), []byte(`"}`))
		return nil
	case '2': // EVENT
	default:
		return errBadPacket
	}
	q := p[1:]
	i := 0
	for i < len(q) && q[i] >= '0' && q[i] <= '9' {
		i++
	}
	id, args := q[:i], q[i:]
	switch {
	case bytes.HasPrefix(args, echoPrefix):
		rest := args[len(echoPrefix):] // `]` or `,<args>]`
		switch {
		case len(rest) == 0 || rest[len(rest)-1] != ']':
			return errBadPacket
		case rest[0] == ',':
			rest = rest[1:]
		case len(rest) != 1:
			return errBadPacket
		}
		if len(id) > 0 {
			s.send(ackPrefix, id, openBracket, rest)
		}
		return nil
	case bytes.HasPrefix(args, bcastPrefix) && len(args) > len(bcastPrefix) && args[len(args)-1] == ']':
		var req struct {
			Count, Size int
			Room        string
			JSON        bool
		}
		if err := json.Unmarshal(args[len(bcastPrefix):len(args)-1], &req); err != nil ||
			req.Room != "" || req.JSON || req.Count < 0 || req.Count > maxCount || req.Size < 0 || req.Size > maxSize ||
			req.Count*(req.Size+len(msgPrefix)+len(msgSuffix)+1) > ps.maxBroadcast {
			return errBadPacket
		}
		ps.broadcast(req.Count, req.Size)
		if len(id) > 0 {
			s.send(ackPrefix, id, emptyAck)
		}
		return nil
	}
	return errBadPacket
}

// Limits of a "bcast" request, as in bench/node/server.js.
const (
	maxCount = 1_000_000
	maxSize  = 1_000_000
)

// broadcast queues count "msg" events of size "x"s to every session.
func (ps *pollServer) broadcast(count, size int) {
	msg := append(append(append(make([]byte, 0, len(msgPrefix)+size+len(msgSuffix)), msgPrefix...),
		bytes.Repeat([]byte{'x'}, size)...), msgSuffix...)
	ps.mu.Lock()
	list := ps.list[:len(ps.list):len(ps.list)] // sessions opened meanwhile are appended to a new array
	ps.mu.Unlock()
	for range count {
		for _, s := range list {
			s.send(msg)
		}
	}
}
