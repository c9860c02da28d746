package server

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/server/engine"
)

// Stats is a snapshot of a Server's statistics (Server.Stats): the Engine.IO
// counters of its engine, the namespaces with their sockets and rooms, and
// the Socket.IO counters. The counters are always on, kept with atomic
// additions on the paths they count (no lock, no allocation once an event
// name has been seen). Totals only grow from the Server's start; gauges say
// "now". Fields are read one by one, not under one lock.
type Stats struct {
	Engine engine.Stats

	// Namespaces lists every namespace (sorted by name) with its connected
	// sockets and rooms now.
	Namespaces []NamespaceStats

	// Connected counts the sockets that connected to a namespace (every
	// namespace, the recovered ones included); ConnectRefused the CONNECT
	// requests a middleware refused.
	Connected, ConnectRefused int64
	// Disconnected counts the sockets disconnected, by reason (the
	// reasons of the reference, see DisconnectReasons; any other under
	// "other").
	Disconnected map[string]int64

	// EventsIn counts the events received from clients (every name).
	EventsIn int64
	// Events counts the received events by name, highest count first: the
	// first MaxEventNames distinct names get their own counter (the names
	// come from clients: the table is bounded), the others are counted
	// under EventsOther.
	Events      []EventCount
	EventsOther int64

	// AcksPending is the number of acks the server waits for now (emits
	// with an ack to one socket, and one per socket of a broadcast
	// EmitWithAck); AcksTimedOut counts those that failed with ErrTimeout.
	AcksPending, AcksTimedOut int64

	// RecoveryAttempts counts the CONNECTs that asked for a session to be
	// recovered (connection state recovery on); RecoverySuccesses those
	// whose session was restored.
	RecoveryAttempts, RecoverySuccesses int64

	// HandlerDuration is the time the event handlers (OnAny and the
	// handlers of the event's name) took per received event. It is
	// sampled: one event in HandlerSampling of each name is timed (a clock
	// read costs 40-90 ns on virtual machines, twice per event), so its
	// Count is about EventsIn / HandlerSampling.
	HandlerDuration Histogram

	// Adapter counts the calls to the namespaces' adapters that may cross
	// servers, by operation (see AdapterOps), and those that failed.
	Adapter map[string]AdapterOpStats
}

// NamespaceStats is one namespace in Stats.
type NamespaceStats struct {
	Name    string
	Sockets int // connected sockets
	// Rooms is the number of rooms, socket id rooms excluded; -1 when the
	// namespace's adapter cannot tell (it has no Rooms() []string method).
	Rooms int
	// LostBroadcasts counts the broadcasts the namespace's adapter could
	// not send to the other servers (a cluster adapter whose broker was
	// unreachable: the local clients got them, the other servers' did
	// not); -1 when the adapter cannot tell (it has no LostBroadcasts()
	// int64 method, as the single-server MemoryAdapter).
	LostBroadcasts int64
}

// EventCount is the number of received events of one name.
type EventCount struct {
	Name  string
	Count int64
}

// AdapterOpStats counts the calls of one adapter operation.
type AdapterOpStats struct {
	Requests, Errors int64
}

// Histogram is a snapshot of a latency histogram: Counts[i] is the number of
// observations at most Bounds[i] (and above Bounds[i-1]); the last count is
// the observations above the last bound.
type Histogram struct {
	Bounds []time.Duration
	Counts []int64 // len(Bounds)+1
	Count  int64
	Sum    time.Duration
}

// MaxEventNames is the number of distinct event names counted by name.
const MaxEventNames = 128

// HandlerSampling is the rate at which event handlers are timed for
// Stats.HandlerDuration: one event in HandlerSampling.
const HandlerSampling = 8

// handlerBounds are the buckets of Stats.HandlerDuration.
var handlerBounds = [...]time.Duration{
	50 * time.Microsecond, 100 * time.Microsecond, 250 * time.Microsecond,
	500 * time.Microsecond, time.Millisecond, 2500 * time.Microsecond,
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second,
}

// DisconnectReasons are the disconnection reasons counted by name in
// Stats.Disconnected (the reference's; the last is every other one).
var DisconnectReasons = [...]string{
	"transport close", "transport error", "ping timeout", "parse error",
	"forced close", "server shutting down", "forced server close",
	"client namespace disconnect", "server namespace disconnect", "other",
}

// AdapterOps are the adapter operations counted in Stats.Adapter.
var AdapterOps = [...]string{
	"broadcast", "broadcast_with_ack", "fetch_sockets", "add_sockets",
	"del_sockets", "disconnect_sockets", "server_side_emit", "server_count",
}

// Indexes of AdapterOps.
const (
	opBroadcast = iota
	opBroadcastWithAck
	opFetchSockets
	opAddSockets
	opDelSockets
	opDisconnectSockets
	opServerSideEmit
	opServerCount
)

// stats are a Server's Socket.IO counters.
type stats struct {
	connected, connectRefused        atomic.Int64
	disconnected                     [len(DisconnectReasons)]atomic.Int64
	events                           eventTable
	acksPending, ackTimeouts         atomic.Int64
	recoveryAttempts, recoveryOK     atomic.Int64
	handler                          [len(handlerBounds) + 1]atomic.Int64
	handlerSum                       atomic.Int64
	adapterRequests, adapterFailures [len(AdapterOps)]atomic.Int64
}

// disconnectedWith counts a disconnection.
func (st *stats) disconnectedWith(reason string) {
	i := len(DisconnectReasons) - 1
	for j, r := range DisconnectReasons[:i] {
		if r == reason {
			i = j
			break
		}
	}
	st.disconnected[i].Add(1)
}

// received counts a received event before its handlers run; it returns the
// time they start when this event is one of those timed (else the zero
// time: no clock read).
func (st *stats) received(name string) time.Time {
	if st.events.add(name)%HandlerSampling != 1 {
		return time.Time{}
	}
	return time.Now()
}

// handled records the time the handlers of a timed event took since start.
func (st *stats) handled(start time.Time) {
	if start.IsZero() {
		return
	}
	d := time.Since(start)
	i, _ := slices.BinarySearch(handlerBounds[:], d)
	st.handler[i].Add(1)
	st.handlerSum.Add(int64(d))
}

// adapterCall counts a call of adapter operation op that returned err, and
// returns err.
func (st *stats) adapterCall(op int, err error) error {
	st.adapterRequests[op].Add(1)
	if err != nil {
		st.adapterFailures[op].Add(1)
	}
	return err
}

// eventTable counts events by name in a fixed table (open addressing on the
// name's hash): a name seen before costs a hash and an atomic add; a new
// name is copied once into a free slot, or counted as other when the table
// is full. add returns the name's count (other's, for a name counted there).
type eventTable struct {
	slots [MaxEventNames]eventSlot
	other atomic.Int64
}

type eventSlot struct {
	name  atomic.Pointer[string]
	count atomic.Int64
}

func (t *eventTable) add(name string) int64 {
	h := uint64(14695981039346656037) // FNV-1a: no seed to set up, no allocation
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	for i := range uint64(len(t.slots)) {
		sl := &t.slots[(h+i)%uint64(len(t.slots))]
		p := sl.name.Load()
		if p == nil {
			n := strings.Clone(name)
			if sl.name.CompareAndSwap(nil, &n) {
				return sl.count.Add(1)
			}
			p = sl.name.Load()
		}
		if *p == name {
			return sl.count.Add(1)
		}
	}
	return t.other.Add(1)
}

func (t *eventTable) snapshot() []EventCount {
	var out []EventCount
	for i := range t.slots {
		if p := t.slots[i].name.Load(); p != nil {
			out = append(out, EventCount{Name: *p, Count: t.slots[i].count.Load()})
		}
	}
	slices.SortFunc(out, func(a, b EventCount) int {
		if a.Count != b.Count {
			return int(min(max(b.Count-a.Count, -1), 1))
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// roomLister is the optional adapter method Stats counts rooms with.
type roomLister interface{ Rooms() []string }

// lostCounter is the optional adapter method Stats reads
// NamespaceStats.LostBroadcasts from (the Redis adapters have it).
type lostCounter interface{ LostBroadcasts() int64 }

// roomCounter is the MemoryAdapter's (and the adapters embedding it) count
// of rooms without listing them.
type roomCounter interface{ roomCount() int }

// roomCount returns the number of rooms, socket id rooms excluded (a room
// named after a socket id that others joined too is counted).
func (a *MemoryAdapter) roomCount() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.rooms)
}

// Stats returns a snapshot of the server's statistics. It takes the locks of
// the namespaces and their adapters briefly (to count sockets and rooms):
// call it from a metrics scrape or a ticker, not per event.
func (srv *Server) Stats() Stats {
	st := &srv.stats
	out := Stats{
		Engine:            srv.eng.Stats(),
		Connected:         st.connected.Load(),
		ConnectRefused:    st.connectRefused.Load(),
		Disconnected:      make(map[string]int64, len(DisconnectReasons)),
		Events:            st.events.snapshot(),
		EventsOther:       st.events.other.Load(),
		AcksPending:       max(0, st.acksPending.Load()),
		AcksTimedOut:      st.ackTimeouts.Load(),
		RecoveryAttempts:  st.recoveryAttempts.Load(),
		RecoverySuccesses: st.recoveryOK.Load(),
		Adapter:           make(map[string]AdapterOpStats, len(AdapterOps)),
		HandlerDuration: Histogram{
			Bounds: slices.Clone(handlerBounds[:]),
			Counts: make([]int64, len(handlerBounds)+1),
			Sum:    time.Duration(st.handlerSum.Load()),
		},
	}
	for i, r := range DisconnectReasons {
		out.Disconnected[r] = st.disconnected[i].Load()
	}
	for i, op := range AdapterOps {
		out.Adapter[op] = AdapterOpStats{Requests: st.adapterRequests[i].Load(), Errors: st.adapterFailures[i].Load()}
	}
	for i := range st.handler {
		out.HandlerDuration.Counts[i] = st.handler[i].Load()
		out.HandlerDuration.Count += out.HandlerDuration.Counts[i]
	}
	out.EventsIn = out.EventsOther
	for _, ev := range out.Events {
		out.EventsIn += ev.Count
	}
	for _, n := range srv.namespaces() {
		ns := NamespaceStats{Name: n.name, Rooms: -1, LostBroadcasts: -1}
		if lc, ok := n.adapter.(lostCounter); ok {
			ns.LostBroadcasts = lc.LostBroadcasts()
		}
		n.mu.RLock()
		ns.Sockets = len(n.sockets)
		n.mu.RUnlock()
		if rc, ok := n.adapter.(roomCounter); ok {
			ns.Rooms = rc.roomCount()
		} else if rl, ok := n.adapter.(roomLister); ok {
			ns.Rooms = 0
			for _, r := range rl.Rooms() {
				if n.lookup(r) == nil { // a socket's own room is not counted
					ns.Rooms++
				}
			}
		}
		out.Namespaces = append(out.Namespaces, ns)
	}
	return out
}

// namespaces returns the server's namespaces, sorted by name.
func (srv *Server) namespaces() []*Namespace {
	srv.mu.Lock()
	out := make([]*Namespace, 0, len(srv.nsps))
	for _, n := range srv.nsps {
		out = append(out, n)
	}
	srv.mu.Unlock()
	slices.SortFunc(out, func(a, b *Namespace) int { return strings.Compare(a.name, b.name) })
	return out
}

// Namespaces returns the server's namespaces, sorted by name (the children
// of OfRegexp and OfFunc included, once created).
func (srv *Server) Namespaces() []*Namespace { return srv.namespaces() }
