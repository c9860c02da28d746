package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// DefaultRequestTimeout is how long a request waits for the other servers'
// answers by default (socket.io-adapter's DEFAULT_TIMEOUT).
const DefaultRequestTimeout = 5 * time.Second

// EmitterUID is the uid of messages sent by emitters (processes without a
// server): they never count as a node.
const EmitterUID = "emitter"

// Config configures an Adapter. The zero value (or nil) gives Node's
// defaults.
type Config struct {
	// UID identifies the node's adapter in messages (default: 16 random hex
	// digits, as Node's).
	UID string
	// RequestTimeout bounds fetchSockets (unless its broadcast has a Timeout),
	// serverSideEmit with acks, and the acks of a broadcast relayed from
	// another server without timeout (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// HeartbeatInterval, when positive, turns on the heartbeats of Node's
	// ClusterAdapterWithHeartbeat: the server count is this node plus the
	// nodes heard from within HeartbeatTimeout, and requests wait for those
	// nodes (not for Transport.ServerCount).
	HeartbeatInterval time.Duration
	// HeartbeatTimeout is how long a silent node still counts (default
	// twice HeartbeatInterval).
	HeartbeatTimeout time.Duration
	// PublishQueue bounds the messages waiting to be published (default
	// DefaultPublishQueue): when it is full, Broadcast waits for room (or
	// for its ctx to end), so a slow or unreachable transport slows the
	// emitters down instead of growing memory (at most 2*PublishQueue+1
	// messages are held: the queue and the batch in flight).
	PublishQueue int
	// PublishTimeout bounds the publishing of one batch of queued messages
	// (default DefaultPublishTimeout); the broadcasts of a batch that fails
	// are logged and counted (LostBroadcasts), and still delivered locally.
	PublishTimeout time.Duration
	// Logger receives the adapter's logs (nil: slog.Default()).
	Logger *slog.Logger
}

func (c *Config) withDefaults() Config {
	var o Config
	if c != nil {
		o = *c
	}
	if o.UID == "" {
		o.UID = randomID()
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.HeartbeatInterval > 0 && o.HeartbeatTimeout <= 0 {
		o.HeartbeatTimeout = 2 * o.HeartbeatInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PublishQueue <= 0 {
		o.PublishQueue = DefaultPublishQueue
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = DefaultPublishTimeout
	}
	return o
}

// randomID returns 16 random hex digits (Node's randomId).
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Adapter is a server.Adapter spanning the servers of a cluster: it embeds
// a *server.MemoryAdapter for this server's sockets and talks to the others
// through its Transport. Create one per namespace with New (usually from
// server.Options.Adapter); the transport calls OnMessage with what it
// receives. Its methods are safe for concurrent use.
//
// Everything the adapter publishes goes through one ordered, bounded
// publish queue, drained by a goroutine of the adapter (ended by Close) that
// sends what is queued in one batch: Broadcast returns without waiting for
// the transport, and delivers locally only once published (with the
// transport's offset); failed publishes are logged and counted
// (LostBroadcasts), not returned. Requests wait for their turn in the same
// queue, so one node's messages keep their order.
type Adapter struct {
	*server.MemoryAdapter
	nsp   *server.Namespace
	t     Transport
	store SessionStore // nil: recovery is the MemoryAdapter's
	cfg   Config
	log   *slog.Logger

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // goroutines owned by the adapter
	pub    *publisher     // the ordered publish queue
	lost   atomic.Int64   // broadcasts whose publishing failed

	roomMu sync.Mutex // serializes room changes for a RoomWatcher

	mu          sync.Mutex
	requests    map[string]*request    // fetchSockets and serverSideEmit with acks
	acks        map[string]*ackRequest // broadcasts with acks sent from here
	sseAcks     map[string][]ServerSideEmitHandler
	nodes       map[string]time.Time // heartbeat mode: uid -> last heard from
	lastPublish time.Time            // heartbeat mode
	closed      bool
}

// ackRequest is a broadcast with acks this server sent to the others.
type ackRequest struct {
	onCount func(int)
	onAck   func(server.Args, error)
}

// ServerSideEmitHandler handles a serverSideEmit from another server that
// awaits an answer: ack sends reply (once; later calls do nothing).
type ServerSideEmitHandler func(args server.Args, ack func(reply any) error)

// New returns the cluster adapter of nsp over t. If t implements
// SessionStore, connection state recovery sessions and offsets are the
// transport's; if t implements io.Closer, Close closes it.
func New(nsp *server.Namespace, t Transport, cfg *Config) *Adapter {
	c := cfg.withDefaults()
	a := &Adapter{
		nsp:      nsp,
		t:        t,
		cfg:      c,
		log:      c.Logger.With("nsp", nsp.Name(), "uid", c.UID),
		requests: make(map[string]*request),
		acks:     make(map[string]*ackRequest),
		sseAcks:  make(map[string][]ServerSideEmitHandler),
	}
	a.store, _ = t.(SessionStore)
	if a.store != nil {
		a.MemoryAdapter = server.NewMemoryAdapterWithoutRecovery(nsp)
	} else {
		a.MemoryAdapter = server.NewMemoryAdapter(nsp)
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.pub = newPublisher(a)
	if c.HeartbeatInterval > 0 {
		a.nodes = make(map[string]time.Time)
		a.wg.Add(1)
		go a.heartbeats()
	}
	return a
}

// UID returns the adapter's uid (its node's name in messages).
func (a *Adapter) UID() string { return a.cfg.UID }

// Namespace returns the adapter's namespace.
func (a *Adapter) Namespace() *server.Namespace { return a.nsp }

// message returns a message of a's node.
func (a *Adapter) message(t MessageType, data any) *Message {
	return &Message{Type: t, Data: data, UID: a.cfg.UID, NSP: a.nsp.Name()}
}

// publish sends m to the other servers through the publish queue (after
// the broadcasts queued before it) and returns its offset.
func (a *Adapter) publish(ctx context.Context, m *Message) (string, error) {
	if a.isClosed() {
		return "", ErrClosed
	}
	return a.pub.publish(ctx, m)
}

// LostBroadcasts returns how many broadcasts Broadcast queued that could not
// be published to the other servers (each failure is also logged).
func (a *Adapter) LostBroadcasts() int64 { return a.lost.Load() }

// respond sends response m to node uid; a failure is logged.
func (a *Adapter) respond(uid string, m *Message) {
	if err := a.t.PublishResponse(a.ctx, uid, m); err != nil {
		a.log.Warn("cluster: cannot publish a response", "type", m.Type, "to", uid, slog.Any("error", err))
	}
}

func (a *Adapter) isClosed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closed
}

// Broadcast implements server.Adapter. A Local broadcast is delivered to
// this server's sockets at once. Any other is queued and Broadcast returns
// without waiting for the transport: the adapter's publish goroutine sends
// everything queued in one batch (one round trip when the transport is a
// BatchPublisher), then delivers each broadcast to this server's sockets
// (with the transport's offset when it keeps the sessions), in the order
// of the Broadcast calls. Broadcast's error is only what it knows at once:
// ErrClosed after Close, or ctx's error when ctx ends while the queue is
// full (Config.PublishQueue). A broadcast the transport fails to publish is
// logged and counted (LostBroadcasts), and still delivered locally.
func (a *Adapter) Broadcast(ctx context.Context, p *sio.Packet, opts server.BroadcastOptions) error {
	if opts.Flags.Local {
		return a.MemoryAdapter.Broadcast(ctx, p, opts)
	}
	if a.isClosed() {
		return ErrClosed
	}
	m := a.message(Broadcast, &BroadcastData{Packet: wirePacket(p), Opts: wireOptions(opts)})
	return a.pub.enqueue(ctx, pending{m: m, p: p, opts: opts})
}

// withOffset returns p with offset appended as its last argument when the
// transport keeps the sessions and p is an event kept for recovery (as
// Node's addOffsetIfNecessary).
func (a *Adapter) withOffset(p *sio.Packet, opts server.BroadcastOptions, offset string) *sio.Packet {
	if a.store == nil || offset == "" || a.nsp.Recovery() == nil {
		return p
	}
	if (p.Type != sio.Event && p.Type != sio.BinaryEvent) || p.HasID || opts.Flags.Volatile {
		return p
	}
	q := *p
	q.Data = AppendOffset(p.Data, offset)
	return &q
}

// BroadcastWithAck implements server.Adapter: the other servers answer with
// their client count, then with each client's ack.
func (a *Adapter) BroadcastWithAck(ctx context.Context, p *sio.Packet, opts server.BroadcastOptions, onCount func(int), onAck func(server.Args, error)) error {
	var err error
	if !opts.Flags.Local {
		id := randomID()
		a.mu.Lock()
		a.acks[id] = &ackRequest{onCount: onCount, onAck: onAck}
		a.mu.Unlock()
		context.AfterFunc(ctx, func() {
			a.mu.Lock()
			delete(a.acks, id)
			a.mu.Unlock()
		})
		_, err = a.publish(ctx, a.message(Broadcast, &BroadcastData{Packet: wirePacket(p), RequestID: id, Opts: wireOptions(opts)}))
	}
	if lerr := a.MemoryAdapter.BroadcastWithAck(ctx, p, opts, onCount, onAck); err == nil {
		err = lerr
	}
	return err
}

// AddSockets implements server.Adapter.
func (a *Adapter) AddSockets(ctx context.Context, opts server.BroadcastOptions, rooms []string) error {
	var err error
	if !opts.Flags.Local {
		_, err = a.publish(ctx, a.message(SocketsJoin, &RoomsData{Opts: wireOptions(opts), Rooms: nonNil(rooms)}))
	}
	_ = a.MemoryAdapter.AddSockets(ctx, opts, rooms)
	return err
}

// DelSockets implements server.Adapter.
func (a *Adapter) DelSockets(ctx context.Context, opts server.BroadcastOptions, rooms []string) error {
	var err error
	if !opts.Flags.Local {
		_, err = a.publish(ctx, a.message(SocketsLeave, &RoomsData{Opts: wireOptions(opts), Rooms: nonNil(rooms)}))
	}
	_ = a.MemoryAdapter.DelSockets(ctx, opts, rooms)
	return err
}

// DisconnectSockets implements server.Adapter.
func (a *Adapter) DisconnectSockets(ctx context.Context, opts server.BroadcastOptions, close bool) error {
	var err error
	if !opts.Flags.Local {
		_, err = a.publish(ctx, a.message(DisconnectSockets, &DisconnectData{Opts: wireOptions(opts), Close: close}))
	}
	_ = a.MemoryAdapter.DisconnectSockets(ctx, opts, close)
	return err
}

// ServerSideEmit implements server.Adapter: the other servers' OnServerSideEmit
// handlers get the event; nobody answers (see ServerSideEmitWithAck).
func (a *Adapter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	data, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return err
	}
	_, err = a.publish(ctx, a.message(ServerSideEmit, &ServerSideEmitData{Packet: Payload{JSON: data, Attachments: att}}))
	return err
}

// ServerCount implements server.Adapter: the transport's count, or in
// heartbeat mode this node and the nodes heard from recently.
func (a *Adapter) ServerCount(ctx context.Context) (int, error) {
	if a.nodes != nil {
		a.mu.Lock()
		defer a.mu.Unlock()
		return 1 + len(a.nodes), nil
	}
	n, err := a.t.ServerCount(ctx)
	if err != nil {
		return 0, fmt.Errorf("cluster: counting servers: %w", err)
	}
	return max(n, 1), nil
}

// PersistSession implements server.Adapter.
func (a *Adapter) PersistSession(ctx context.Context, s *server.SessionState) error {
	if a.store == nil {
		return a.MemoryAdapter.PersistSession(ctx, s)
	}
	return a.store.PersistSession(ctx, s)
}

// RestoreSession implements server.Adapter.
func (a *Adapter) RestoreSession(ctx context.Context, pid, offset string) (*server.SessionState, error) {
	if a.store == nil {
		return a.MemoryAdapter.RestoreSession(ctx, pid, offset)
	}
	return a.store.RestoreSession(ctx, pid, offset)
}

// TrackSession implements server.SessionTracker: passed to the transport
// when it tracks sessions.
func (a *Adapter) TrackSession(s *server.SessionState) {
	if t, ok := a.store.(server.SessionTracker); ok {
		t.TrackSession(s)
	}
}

// ForgetSession implements server.SessionTracker.
func (a *Adapter) ForgetSession(pid string) {
	if t, ok := a.store.(server.SessionTracker); ok {
		t.ForgetSession(pid)
	}
}

// Close implements server.Adapter: the broadcasts still queued are published
// and delivered locally, pending requests fail with ErrClosed, the
// other nodes are told (heartbeat mode), the transport is closed if it is
// an io.Closer.
func (a *Adapter) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	hb := a.nodes != nil
	a.mu.Unlock()
	// What was queued is published (each batch bounded by PublishTimeout)
	// and delivered before the other nodes are told this one leaves.
	a.pub.close()
	if hb {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, _ = a.t.Publish(ctx, a.message(AdapterClose, nil))
		cancel()
	}
	a.mu.Lock()
	for _, r := range a.requests {
		r.fail(ErrClosed)
	}
	clear(a.requests)
	clear(a.acks)
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
	err := a.MemoryAdapter.Close()
	if c, ok := a.t.(io.Closer); ok {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

var _ server.Adapter = (*Adapter)(nil)
var _ server.SessionTracker = (*Adapter)(nil)
