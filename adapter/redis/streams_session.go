package redis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// A session in Redis, as the Node streams adapter writes it: base64 of the
// msgpack of {sid, pid, rooms, data}, expiring after maxDisconnectionDuration.

// encodeSession returns the value of a session key.
func encodeSession(st *server.SessionState) (string, error) {
	var data map[string]any
	if st.Data != nil {
		data = st.Data.Snapshot()
	}
	if data == nil {
		data = map[string]any{}
	}
	rooms := st.Rooms
	if rooms == nil {
		rooms = []string{}
	}
	v := struct {
		SID   string         `json:"sid"`
		PID   string         `json:"pid"`
		Rooms []string       `json:"rooms"`
		Data  map[string]any `json:"data"`
	}{st.SID, st.PID, rooms, data}
	b, err := marshalMsgpack(v, nil)
	if err != nil {
		return "", fmt.Errorf("redis streams: encoding session %s: %w", st.PID, err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// decodeSession reads the value of a session key.
func decodeSession(val []byte) (*server.SessionState, error) {
	b, err := base64.StdEncoding.DecodeString(string(val))
	if err != nil {
		return nil, err
	}
	j, _, err := msgpackToJSON(b)
	if err != nil {
		return nil, err
	}
	var v struct {
		SID   string          `json:"sid"`
		PID   string          `json:"pid"`
		Rooms []string        `json:"rooms"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(j, &v); err != nil {
		return nil, err
	}
	st := &server.SessionState{SID: v.SID, PID: v.PID, Rooms: v.Rooms, Data: new(server.Data)}
	var data map[string]any
	if len(v.Data) > 0 && v.Data[0] == '{' && json.Unmarshal(v.Data, &data) == nil {
		for k, x := range data {
			st.Data.Store(k, x)
		}
	}
	return st, nil
}

func (t *streamsTransport) sessionKey(pid string) string { return t.s.opts.SessionKeyPrefix + pid }

func (t *streamsTransport) ttl() time.Duration {
	if rec := t.a.Namespace().Recovery(); rec != nil {
		return rec.MaxDisconnectionDuration
	}
	return server.DefaultMaxDisconnectionDuration
}

// PersistSession implements cluster.SessionStore: the session of a socket
// that disconnected, written in order with the tracked ones.
func (t *streamsTransport) PersistSession(_ context.Context, st *server.SessionState) error {
	val, err := encodeSession(st)
	if err != nil {
		return err
	}
	t.s.writes.add(sessionWrite{key: t.sessionKey(st.PID), val: val, ttl: t.ttl()})
	return nil
}

// TrackSession implements server.SessionTracker: the key is written at
// connect and after each change, so that the session outlives its node.
func (t *streamsTransport) TrackSession(st *server.SessionState) {
	if err := t.PersistSession(context.Background(), st); err != nil {
		t.s.log.Warn("redis streams: cannot keep a session", slog.Any("error", err))
	}
}

// ForgetSession implements server.SessionTracker.
func (t *streamsTransport) ForgetSession(pid string) {
	t.s.writes.add(sessionWrite{key: t.sessionKey(pid), del: true})
}

var offsetRe = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

// restoreMaxCalls bounds the XRANGE calls of one restore (the Node adapter's
// RESTORE_SESSION_MAX_XRANGE_CALLS).
const restoreMaxCalls = 100

// RestoreSession implements cluster.SessionStore: the session key is taken
// (MULTI GET DEL EXEC), and the broadcasts after offset that reach its rooms
// are read from the stream. It returns nil when the session or the offset is
// gone (expired, or trimmed from the stream).
func (t *streamsTransport) RestoreSession(ctx context.Context, pid, offset string) (*server.SessionState, error) {
	if !offsetRe.MatchString(offset) {
		return nil, nil
	}
	t.s.writes.flush(ctx, t.sessionKey(pid))
	val, ok, err := t.s.c.GetDel(ctx, t.sessionKey(pid))
	if err != nil {
		return nil, fmt.Errorf("redis streams: restoring session %s: %w", pid, err)
	}
	at, err := t.s.c.XRange(ctx, t.s.opts.StreamName, offset, offset)
	if err != nil {
		return nil, fmt.Errorf("redis streams: restoring session %s: %w", pid, err)
	}
	if !ok || len(at) == 0 {
		return nil, nil
	}
	st, err := decodeSession(val)
	if err != nil {
		return nil, fmt.Errorf("redis streams: session %s: %w", pid, err)
	}
	for range restoreMaxCalls {
		es, err := t.s.c.XRange(ctx, t.s.opts.StreamName, nextOffset(offset), "+")
		if err != nil {
			return nil, fmt.Errorf("redis streams: restoring session %s: %w", pid, err)
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			offset = e.ID
			if e.Fields["nsp"] != t.nsp || e.Fields["type"] != "3" {
				continue
			}
			m, err := decodeEntry(e)
			if err != nil {
				t.s.log.Warn("redis streams: skipping a malformed entry while restoring a session", "id", e.ID, slog.Any("error", err))
				continue
			}
			d, ok := m.Data.(*cluster.BroadcastData)
			if ok && d.RequestID == "" && !d.Opts.Flags.Volatile && d.Opts.Includes(st.Rooms) {
				st.MissedPackets = append(st.MissedPackets, d.Packet.SIO(t.nsp, e.ID))
			}
		}
	}
	return st, nil
}

// nextOffset returns the stream id after id (exclusive ranges need Redis
// 6.2; the Node adapter does the same).
func nextOffset(id string) string {
	ts, seq, _ := strings.Cut(id, "-")
	n, _ := strconv.ParseUint(seq, 10, 64)
	return ts + "-" + strconv.FormatUint(n+1, 10)
}

// sessionWrite is a SET ... PX or a delete of a session key.
type sessionWrite struct {
	key string
	val string
	ttl time.Duration
	del bool
}

// sessionWriter writes session keys in the order they were given, on its
// own goroutine, so that the server's calls never wait for Redis.
type sessionWriter struct {
	c      Client
	log    *slog.Logger
	mu     sync.Mutex
	q      []sessionWrite
	busy   map[string]int // key -> writes queued or in progress
	cond   *sync.Cond
	wake   chan struct{}
	closed bool // run returned: writes are dropped
}

// maxQueuedSessionWrites bounds the queue while Redis is unreachable; older
// writes are dropped (and logged) beyond it.
const maxQueuedSessionWrites = 100_000

func newSessionWriter(c Client, log *slog.Logger) *sessionWriter {
	w := &sessionWriter{c: c, log: log, busy: make(map[string]int), wake: make(chan struct{}, 1)}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *sessionWriter) add(sw sessionWrite) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	if len(w.q) >= maxQueuedSessionWrites {
		w.log.Warn("redis streams: too many session writes queued; dropping the oldest", "key", w.q[0].key)
		w.doneLocked(w.q[0].key)
		w.q = w.q[1:]
	}
	w.q = append(w.q, sw)
	w.busy[sw.key]++
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *sessionWriter) doneLocked(key string) {
	if w.busy[key]--; w.busy[key] <= 0 {
		delete(w.busy, key)
	}
	w.cond.Broadcast()
}

// flush waits until the writes of key queued so far are done (a restore on
// this node reads what it wrote), or ctx ends.
func (w *sessionWriter) flush(ctx context.Context, key string) {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.busy[key] > 0 && ctx.Err() == nil && !w.closed {
		w.cond.Wait()
	}
}

// drain waits until every write queued so far is done, or ctx ends.
func (w *sessionWriter) drain(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.busy) > 0 && ctx.Err() == nil && !w.closed {
		w.cond.Wait()
	}
}

// run writes until ctx ends; a write that fails is logged and dropped.
func (w *sessionWriter) run(ctx context.Context) {
	defer func() { // wake the flushes still waiting
		w.mu.Lock()
		w.closed = true
		w.q = nil
		clear(w.busy)
		w.cond.Broadcast()
		w.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		for {
			w.mu.Lock()
			if len(w.q) == 0 {
				w.mu.Unlock()
				break
			}
			sw := w.q[0]
			w.q = w.q[1:]
			w.mu.Unlock()
			var err error
			if sw.del {
				_, _, err = w.c.GetDel(ctx, sw.key)
			} else {
				err = w.c.SetPX(ctx, sw.key, []byte(sw.val), sw.ttl)
			}
			if err != nil && ctx.Err() == nil {
				w.log.Warn("redis streams: a session write was lost", "key", sw.key, slog.Any("error", err))
			}
			w.mu.Lock()
			w.doneLocked(sw.key)
			w.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
		}
	}
}
