package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/server"
)

// Bus is an in-process cluster transport: the servers of one process (tests,
// examples) exchange encoded messages through it as they would through
// Redis, each node reading its own queue on its own goroutine. Like the
// Redis streams adapter it numbers the broadcasts (offsets "<n>-0"), keeps
// the last MaxLen of them and the recovery sessions, so a client recovers on
// any node of the bus.
type Bus struct {
	// MaxLen bounds the numbered messages kept for recovery (default 10000).
	MaxLen int

	mu       sync.Mutex
	nodes    map[*busNode]struct{}
	seq      int64
	log      []busEntry // numbered messages, oldest first
	sessions map[string]busSession
}

type busEntry struct {
	offset string
	nsp    string
	m      []byte // JSON of the message
	att    [][]byte
}

type busSession struct {
	state   []byte // JSON {sid, pid, rooms, data}
	expires time.Time
}

// NewBus returns an empty Bus.
func NewBus() *Bus {
	return &Bus{nodes: make(map[*busNode]struct{}), sessions: make(map[string]busSession)}
}

// Adapter returns a server.Options.Adapter that joins every namespace of a
// server to the bus with a cluster Adapter configured by cfg.
func (b *Bus) Adapter(cfg *Config) func(nsp *server.Namespace) server.Adapter {
	return func(nsp *server.Namespace) server.Adapter {
		n := &busNode{bus: b, nsp: nsp.Name(), wake: make(chan struct{}, 1), done: make(chan struct{})}
		n.a = New(nsp, n, cfg)
		b.mu.Lock()
		b.nodes[n] = struct{}{}
		b.mu.Unlock()
		n.wg.Add(1)
		go n.run()
		return n.a
	}
}

// Sever cuts the node whose adapter has uid off the bus, as if its process
// died: it receives nothing more, and what it publishes or stores is lost.
// Its server does not notice.
func (b *Bus) Sever(uid string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for n := range b.nodes {
		if n.a.UID() == uid {
			delete(b.nodes, n)
			n.severed = true
		}
	}
}

// Stall stops (or, with stalled false, resumes) the reading of the node
// whose adapter has uid, as if its process hung: it still counts as a
// server, and what it is sent waits in its queue.
func (b *Bus) Stall(uid string, stalled bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for n := range b.nodes {
		if n.a.UID() == uid {
			n.stalled.Store(stalled)
			if !stalled {
				n.signal()
			}
		}
	}
}

// busNode is the Transport of one namespace's Adapter on the bus.
type busNode struct {
	bus     *Bus
	nsp     string
	a       *Adapter
	severed bool // guarded by bus.mu
	stalled atomic.Bool

	qmu   sync.Mutex
	queue []busDelivery
	wake  chan struct{}
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

type busDelivery struct {
	m      []byte
	att    [][]byte
	offset string
}

// encode returns the bytes m travels as: JSON with placeholders, the
// attachments apart.
func encode(m *Message) ([]byte, [][]byte, error) {
	b, err := json.Marshal(m)
	return b, m.Attachments(), err
}

// Publish implements Transport: numbered (as a stream entry) unless it is a
// request or a broadcast with acks, which Node sends by pub/sub.
func (n *busNode) Publish(_ context.Context, m *Message) (string, error) {
	b, att, err := encode(m)
	if err != nil {
		return "", err
	}
	n.bus.mu.Lock()
	defer n.bus.mu.Unlock()
	if n.severed {
		return "", nil // lost with the node
	}
	var off string
	if !ephemeral(m) {
		n.bus.seq++
		off = strconv.FormatInt(n.bus.seq, 10) + "-0"
		n.bus.log = append(n.bus.log, busEntry{offset: off, nsp: n.nsp, m: b, att: att})
		if max := n.bus.maxLen(); len(n.bus.log) > max {
			n.bus.log = append([]busEntry(nil), n.bus.log[len(n.bus.log)-max:]...)
		}
	}
	for o := range n.bus.nodes {
		if o != n && o.nsp == n.nsp {
			o.deliver(busDelivery{m: b, att: att, offset: off})
		}
	}
	return off, nil
}

// ephemeral reports whether m goes by pub/sub in the streams adapter:
// requests and broadcasts with acks (isEphemeral).
func ephemeral(m *Message) bool {
	if d, ok := m.Data.(*BroadcastData); ok {
		return d.RequestID != ""
	}
	return m.Type == ServerSideEmit || m.Type == FetchSockets || m.Data == nil
}

func (b *Bus) maxLen() int {
	if b.MaxLen > 0 {
		return b.MaxLen
	}
	return 10000
}

// PublishResponse implements Transport.
func (n *busNode) PublishResponse(_ context.Context, uid string, m *Message) error {
	b, att, err := encode(m)
	if err != nil {
		return err
	}
	n.bus.mu.Lock()
	defer n.bus.mu.Unlock()
	for o := range n.bus.nodes {
		if o.nsp == n.nsp && o.a.UID() == uid {
			o.deliver(busDelivery{m: b, att: att})
		}
	}
	return nil
}

// ServerCount implements Transport: the nodes of the namespace on the bus.
func (n *busNode) ServerCount(context.Context) (int, error) {
	n.bus.mu.Lock()
	defer n.bus.mu.Unlock()
	c := 0
	for o := range n.bus.nodes {
		if o.nsp == n.nsp {
			c++
		}
	}
	return c, nil
}

func (n *busNode) deliver(d busDelivery) {
	n.qmu.Lock()
	n.queue = append(n.queue, d)
	n.qmu.Unlock()
	n.signal()
}

func (n *busNode) signal() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// run decodes and hands the node's messages to its adapter, in order, until
// Close.
func (n *busNode) run() {
	defer n.wg.Done()
	for {
		select {
		case <-n.done:
			return
		case <-n.wake:
		}
		if n.stalled.Load() {
			continue
		}
		n.qmu.Lock()
		q := n.queue
		n.queue = nil
		n.qmu.Unlock()
		for _, d := range q {
			var m Message
			if err := json.Unmarshal(d.m, &m); err != nil {
				n.a.log.Warn("cluster: bus: dropping a malformed message", "error", err)
				continue
			}
			m.SetAttachments(d.att)
			n.a.OnMessage(&m, d.offset)
		}
	}
}

// Close stops the node's reader and takes it off the bus.
func (n *busNode) Close() error {
	n.bus.mu.Lock()
	delete(n.bus.nodes, n)
	n.bus.mu.Unlock()
	n.once.Do(func() { close(n.done) })
	n.wg.Wait()
	return nil
}

// sessionJSON is a session as the bus keeps it (Node's {sid, pid, rooms,
// data}).
type sessionJSON struct {
	SID   string         `json:"sid"`
	PID   string         `json:"pid"`
	Rooms []string       `json:"rooms"`
	Data  map[string]any `json:"data"`
}

func (n *busNode) store(s *server.SessionState) error {
	rec := n.a.nsp.Recovery()
	if rec == nil {
		return nil
	}
	var data map[string]any
	if s.Data != nil {
		data = s.Data.Snapshot()
	}
	b, err := json.Marshal(sessionJSON{SID: s.SID, PID: s.PID, Rooms: s.Rooms, Data: data})
	if err != nil {
		return err
	}
	n.bus.mu.Lock()
	defer n.bus.mu.Unlock()
	if !n.severed {
		n.bus.sessions[s.PID] = busSession{state: b, expires: time.Now().Add(rec.MaxDisconnectionDuration)}
	}
	return nil
}

// PersistSession implements SessionStore.
func (n *busNode) PersistSession(_ context.Context, s *server.SessionState) error { return n.store(s) }

// TrackSession implements server.SessionTracker.
func (n *busNode) TrackSession(s *server.SessionState) {
	if err := n.store(s); err != nil {
		n.a.log.Warn("cluster: bus: cannot keep a session", "error", err)
	}
}

// ForgetSession implements server.SessionTracker.
func (n *busNode) ForgetSession(pid string) {
	n.bus.mu.Lock()
	defer n.bus.mu.Unlock()
	if !n.severed {
		delete(n.bus.sessions, pid)
	}
}

// RestoreSession implements SessionStore: the session (taken off the bus)
// and the broadcasts after offset that reach its rooms.
func (n *busNode) RestoreSession(_ context.Context, pid, offset string) (*server.SessionState, error) {
	n.bus.mu.Lock()
	ss, ok := n.bus.sessions[pid]
	delete(n.bus.sessions, pid)
	idx := -1
	for i, e := range n.bus.log {
		if e.offset == offset {
			idx = i
			break
		}
	}
	var after []busEntry
	if idx >= 0 {
		after = append(after, n.bus.log[idx+1:]...)
	}
	n.bus.mu.Unlock()
	if !ok || time.Now().After(ss.expires) || idx < 0 {
		return nil, nil
	}
	var sj sessionJSON
	if err := json.Unmarshal(ss.state, &sj); err != nil {
		return nil, fmt.Errorf("cluster: bus: session %s: %w", pid, err)
	}
	st := &server.SessionState{SID: sj.SID, PID: sj.PID, Rooms: sj.Rooms, Data: new(server.Data)}
	for k, v := range sj.Data {
		st.Data.Store(k, v)
	}
	for _, e := range after {
		if e.nsp != n.nsp {
			continue
		}
		var m Message
		if json.Unmarshal(e.m, &m) != nil {
			continue
		}
		m.SetAttachments(e.att)
		if d, ok := m.Data.(*BroadcastData); ok && d.RequestID == "" && !d.Opts.Flags.Volatile && d.Opts.Includes(st.Rooms) {
			st.MissedPackets = append(st.MissedPackets, d.Packet.SIO(n.nsp, e.offset))
		}
	}
	return st, nil
}
