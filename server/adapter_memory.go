package server

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// MemoryAdapter is the default Adapter: rooms in memory, for one server. When
// connection state recovery is on it also keeps disconnected sessions and the
// packets broadcast since, as the reference's SessionAwareAdapter: bounded by
// RecoveryOptions.MaxBufferedPackets, and dropped once expired by a timer
// that runs only while something is kept (Close stops it).
type MemoryAdapter struct {
	nsp *Namespace

	// A socket's own room (its id) is a flag on its member, not a map of
	// one: an idle socket costs one small struct here. rooms holds the
	// other rooms (a room named after a socket id may have members in both).
	mu    sync.RWMutex
	rooms map[string]map[string]*Socket // room -> socket id -> socket, own rooms excluded
	all   map[string]*member            // socket id -> member, for every socket in a room

	recovery   *RecoveryOptions
	rmu        sync.Mutex
	sessions   map[string]*persisted
	packets    []storedPacket
	offsets    offsetGen
	pruneTimer *time.Timer // armed while something is stored
	rclosed    bool
}

// member is a socket in at least one room of the adapter.
type member struct {
	s     *Socket
	self  bool     // in its own room
	rooms []string // its other rooms
}

type persisted struct {
	state *SessionState
	at    time.Time
}

type storedPacket struct {
	id     string
	opts   BroadcastOptions
	packet *sio.Packet
	at     time.Time
}

// NewMemoryAdapter returns the in-memory adapter of nsp.
func NewMemoryAdapter(nsp *Namespace) *MemoryAdapter {
	a := &MemoryAdapter{
		nsp:   nsp,
		rooms: make(map[string]map[string]*Socket),
		all:   make(map[string]*member),
	}
	if nsp != nil && nsp.srv != nil && nsp.srv.opts.ConnectionStateRecovery != nil {
		a.recovery = nsp.srv.opts.ConnectionStateRecovery
		a.sessions = make(map[string]*persisted)
	}
	return a
}

// AddAll implements Adapter.
func (a *MemoryAdapter) AddAll(id string, rooms []string) {
	s := a.nsp.lookup(id)
	if s == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.memberLocked(id, s)
	for _, r := range rooms {
		if r == id {
			m.self = true
			continue
		}
		if slices.Contains(m.rooms, r) {
			continue
		}
		m.rooms = append(m.rooms, r)
		set := a.rooms[r]
		if set == nil {
			set = make(map[string]*Socket, 1)
			a.rooms[r] = set
		}
		set[id] = s
		a.nsp.srv.roomJoined(a.nsp, r, id)
	}
}

// memberLocked returns the member of socket s (id), adding it (a.mu held):
// the member is the one the socket holds, no allocation.
func (a *MemoryAdapter) memberLocked(id string, s *Socket) *member {
	m := a.all[id]
	if m == nil {
		m = &s.member
		*m = member{s: s}
		a.all[id] = m
	}
	return m
}

// addOwn puts the connecting socket s in its own room: AddAll(s.id,
// []string{s.id}) without the slice.
func (a *MemoryAdapter) addOwn(s *Socket) {
	if a.nsp.lookup(s.id) != s {
		return
	}
	a.mu.Lock()
	a.memberLocked(s.id, s).self = true
	a.mu.Unlock()
}

// Del implements Adapter.
func (a *MemoryAdapter) Del(id, room string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.all[id]
	if m == nil {
		return
	}
	if room == id {
		m.self = false
	} else if i := slices.Index(m.rooms, room); i >= 0 {
		m.rooms = slices.Delete(m.rooms, i, i+1)
		a.delRoom(id, room)
	}
	// A socket out of every room stays a member until DelAll: broadcasts
	// to all still reach it, as the reference's.
}

func (a *MemoryAdapter) delRoom(id, room string) {
	if m := a.rooms[room]; m != nil {
		a.nsp.srv.roomLeft(a.nsp, room, id)
		delete(m, id)
		if len(m) == 0 {
			delete(a.rooms, room)
		}
	}
}

// DelAll implements Adapter.
func (a *MemoryAdapter) DelAll(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if m := a.all[id]; m != nil {
		for _, r := range m.rooms {
			a.delRoom(id, r)
		}
		a.forgetLocked(id)
	}
}

// forgetLocked removes member id. Go maps never shrink: once the last member
// left, they are replaced, so that a server whose clients all left returns
// to its starting size.
func (a *MemoryAdapter) forgetLocked(id string) {
	delete(a.all, id)
	if len(a.all) == 0 {
		a.all = make(map[string]*member)
		a.rooms = make(map[string]map[string]*Socket)
	}
}

// SocketRooms implements Adapter.
func (a *MemoryAdapter) SocketRooms(id string) []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	m, ok := a.all[id]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(m.rooms)+1)
	if m.self {
		out = append(out, id)
	}
	out = append(out, m.rooms...)
	slices.Sort(out)
	return out
}

// roomLocked calls fn for every member of room r (a.mu held).
func (a *MemoryAdapter) roomLocked(r string, fn func(id string, s *Socket)) {
	if m := a.all[r]; m != nil && m.self {
		fn(r, m.s)
	}
	for id, s := range a.rooms[r] {
		fn(id, s)
	}
}

// Rooms returns the names of every room of the namespace (socket id rooms
// included).
func (a *MemoryAdapter) Rooms() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, 0, len(a.rooms))
	for r := range a.rooms {
		out = append(out, r)
	}
	for id, m := range a.all {
		if _, dup := a.rooms[id]; m.self && !dup {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Sockets implements Adapter.
func (a *MemoryAdapter) Sockets(_ context.Context, rooms []string) ([]string, error) {
	ts := a.targets(BroadcastOptions{Rooms: rooms}, nil)
	out := make([]string, len(ts))
	for i, s := range ts {
		out[i] = s.id
	}
	return out, nil
}

var targetPool = sync.Pool{New: func() any { s := make([]*Socket, 0, 64); return &s }}

// targets appends to dst the connected sockets selected by opts, each once.
func (a *MemoryAdapter) targets(opts BroadcastOptions, dst []*Socket) []*Socket {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var except map[string]struct{}
	if len(opts.Except) > 0 {
		except = make(map[string]struct{})
		for _, r := range opts.Except {
			a.roomLocked(r, func(id string, _ *Socket) { except[id] = struct{}{} })
		}
	}
	if len(opts.Rooms) == 0 {
		for id, m := range a.all {
			if _, skip := except[id]; skip || !m.s.connected.Load() {
				continue
			}
			dst = append(dst, m.s)
		}
		return dst
	}
	var seen map[string]struct{}
	if len(opts.Rooms) > 1 {
		seen = make(map[string]struct{})
	}
	for _, r := range opts.Rooms {
		a.roomLocked(r, func(id string, s *Socket) {
			if _, skip := except[id]; skip || !s.connected.Load() {
				return
			}
			if seen != nil {
				if _, dup := seen[id]; dup {
					return
				}
				seen[id] = struct{}{}
			}
			dst = append(dst, s)
		})
	}
	return dst
}

// each calls fn for every socket selected by opts, outside the adapter's lock.
func (a *MemoryAdapter) each(opts BroadcastOptions, fn func(s *Socket)) {
	bp := targetPool.Get().(*[]*Socket)
	ts := a.targets(opts, (*bp)[:0])
	for _, s := range ts {
		fn(s)
	}
	clear(ts)
	*bp = ts[:0]
	targetPool.Put(bp)
}

// Broadcast implements Adapter. The packet is encoded once; each recipient
// costs one Send of the shared frames.
func (a *MemoryAdapter) Broadcast(_ context.Context, p *sio.Packet, opts BroadcastOptions) error {
	if a.recovery != nil {
		p = a.store(p, opts)
	}
	frames := p.Encode()
	bp := targetPool.Get().(*[]*Socket)
	ts := a.targets(opts, (*bp)[:0])
	for _, s := range ts {
		_ = s.client.sendFrames(frames, opts.Flags.Volatile)
	}
	clear(ts)
	*bp = ts[:0]
	targetPool.Put(bp)
	return nil
}

// BroadcastWithAck implements Adapter.
func (a *MemoryAdapter) BroadcastWithAck(ctx context.Context, p *sio.Packet, opts BroadcastOptions, onCount func(int), onAck func(Args, error)) error {
	frames := p.Encode()
	ts := a.targets(opts, nil)
	n := 0
	for _, s := range ts {
		if s.registerAck(p.ID, 0, onAck) {
			n++
		}
	}
	// When the caller stops waiting, drop the acks nobody sent, so that a
	// client that never answers does not keep them until it disconnects.
	id := p.ID
	context.AfterFunc(ctx, func() {
		for _, s := range ts {
			s.takeAck(id)
		}
	})
	onCount(n)
	for _, s := range ts {
		_ = s.client.sendFrames(frames, opts.Flags.Volatile)
	}
	return nil
}

// FetchSockets implements Adapter.
func (a *MemoryAdapter) FetchSockets(_ context.Context, opts BroadcastOptions) ([]*RemoteSocket, error) {
	var out []*RemoteSocket
	a.each(opts, func(s *Socket) { out = append(out, s.remote()) })
	return out, nil
}

// AddSockets implements Adapter.
func (a *MemoryAdapter) AddSockets(_ context.Context, opts BroadcastOptions, rooms []string) error {
	a.each(opts, func(s *Socket) { s.Join(rooms...) })
	return nil
}

// DelSockets implements Adapter.
func (a *MemoryAdapter) DelSockets(_ context.Context, opts BroadcastOptions, rooms []string) error {
	a.each(opts, func(s *Socket) {
		for _, r := range rooms {
			s.Leave(r)
		}
	})
	return nil
}

// DisconnectSockets implements Adapter.
func (a *MemoryAdapter) DisconnectSockets(_ context.Context, opts BroadcastOptions, close bool) error {
	a.each(opts, func(s *Socket) { s.Disconnect(close) })
	return nil
}

// ServerSideEmit implements Adapter: with a single server there is nobody to
// tell, so it does nothing (the reference logs a warning).
func (a *MemoryAdapter) ServerSideEmit(context.Context, string, ...any) error {
	a.nsp.srv.log.Debug("socket.io: ServerSideEmit with the in-memory adapter reaches no other server", "nsp", a.nsp.name)
	return nil
}

// ServerCount implements Adapter: always 1.
func (a *MemoryAdapter) ServerCount(context.Context) (int, error) { return 1, nil }

// Close implements Adapter: it forgets the recovery state and stops its
// timer.
func (a *MemoryAdapter) Close() error {
	if a.recovery != nil {
		a.rmu.Lock()
		a.rclosed = true
		if a.pruneTimer != nil {
			a.pruneTimer.Stop()
			a.pruneTimer = nil
		}
		clear(a.sessions)
		a.packets = nil
		a.rmu.Unlock()
	}
	return nil
}

// recoveryState returns the number of disconnected sessions and of packets
// kept for connection state recovery (tests).
func (a *MemoryAdapter) recoveryState() (sessions, packets int, timer bool) {
	a.rmu.Lock()
	defer a.rmu.Unlock()
	return len(a.sessions), len(a.packets), a.pruneTimer != nil
}
