package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// ClassicOptions configure NewClassic and NewClassicEmitter. The zero value
// (or nil) is @socket.io/redis-adapter's defaults.
type ClassicOptions struct {
	// Key prefixes the channels (default "socket.io", the Node adapter's
	// "key" option).
	Key string
	// RequestsTimeout bounds fetchSockets, serverSideEmit with acks and
	// allRooms (default 5 s, the Node adapter's requestsTimeout). A context
	// deadline that comes first wins.
	RequestsTimeout time.Duration
	// PublishOnSpecificResponseChannel answers requests on the requester's
	// own response channel instead of the shared one (the Node option of
	// the same name; every node of the cluster must agree).
	PublishOnSpecificResponseChannel bool
	// PublishQueue bounds the broadcasts waiting to be published (default
	// cluster.DefaultPublishQueue, as the other modes): when it is full,
	// Broadcast waits for room (or for its ctx to end), so an unreachable
	// Redis slows the emitters down instead of growing memory.
	PublishQueue int
	// PublishTimeout bounds the publishing of one pipeline of queued
	// broadcasts (default RequestsTimeout); the broadcasts of a pipeline
	// that fails are logged and counted (LostBroadcasts).
	PublishTimeout time.Duration
	// Logger receives what is dropped or lost (default slog.Default()).
	Logger *slog.Logger
}

func (o *ClassicOptions) withDefaults() ClassicOptions {
	var c ClassicOptions
	if o != nil {
		c = *o
	}
	if c.Key == "" {
		c.Key = "socket.io"
	}
	if c.RequestsTimeout <= 0 {
		c.RequestsTimeout = 5 * time.Second
	}
	if c.PublishQueue <= 0 {
		c.PublishQueue = cluster.DefaultPublishQueue
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = c.RequestsTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Classic is the classic mode of one process, wire-compatible with
// createAdapter of @socket.io/redis-adapter 8.3 (Node or duplex nodes
// sharing Redis through one Client): broadcasts are published as msgpack on
// "<key>#<nsp>#[<room>#]" and received through a pattern subscription,
// requests and responses go on "<key>-request#<nsp>#" and
// "<key>-response#<nsp>#".
//
// One Classic serves every namespace of a server: pass its Adapter method as
// server.Options.Adapter. Each namespace's adapter is a *ClassicAdapter with
// a subscriber connection of its own; the server's Close closes them, and so
// does Close.
type Classic struct {
	c    Client
	opts ClassicOptions

	mu       sync.Mutex
	adapters []*ClassicAdapter
	closed   bool
}

// NewClassic starts the classic mode over c (which the caller keeps and
// closes after Close). opts may be nil.
func NewClassic(c Client, opts *ClassicOptions) *Classic {
	return &Classic{c: c, opts: opts.withDefaults()}
}

// Adapter returns the *ClassicAdapter of nsp (server.Options.Adapter).
// Creating it waits for its subscriptions (up to RequestsTimeout when Redis
// is unreachable; they are then made in the background once it is back, and
// logged).
func (m *Classic) Adapter(nsp *server.Namespace) server.Adapter {
	a := newClassic(m.c, nsp, m.opts)
	m.mu.Lock()
	closed := m.closed
	if !closed {
		m.adapters = append(m.adapters, a)
	}
	m.mu.Unlock()
	if closed {
		_ = a.Close() // a namespace made after Close gets a closed adapter
	}
	return a
}

// Close closes the adapters of every namespace (the server's Close does too:
// closing twice is harmless). c stays open.
func (m *Classic) Close() error {
	m.mu.Lock()
	m.closed = true
	as := m.adapters
	m.adapters = nil
	m.mu.Unlock()
	var errs []error
	for _, a := range as {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}

// ClassicAdapter is the adapter of one namespace in classic mode. Beyond
// server.Adapter it offers serverSideEmit with acknowledgements and allRooms.
type ClassicAdapter struct {
	*server.MemoryAdapter

	nsp  *server.Namespace
	c    Client
	opts ClassicOptions
	log  *slog.Logger
	uid  string

	channel         string // <key>#<nsp>#
	requestChannel  string // <key>-request#<nsp>#
	responseChannel string // <key>-response#<nsp>#
	ownResponse     string // <key>-response#<nsp>#<uid>#

	sub    Subscriber
	pub    *publishQueue   // the broadcasts' PUBLISH, pipelined in order
	ctx    context.Context // ends at Close
	cancel context.CancelFunc

	mu          sync.Mutex
	requests    map[string]*classicRequest
	ackRequests map[string]*ackRequest
	sseHandlers map[string][]ServerSideEmitHandler
	closed      bool
}

// ServerSideEmitHandler handles a serverSideEmit from another server that
// waits for an answer: ack sends reply (the first call only; the Node
// adapter carries one value per server). It is the handler of the other
// modes' cluster.Adapter.OnServerSideEmit.
type ServerSideEmitHandler = cluster.ServerSideEmitHandler

// ackRequest is a broadcast with acks sent from here.
type ackRequest struct {
	onCount func(int)
	onAck   func(server.Args, error)
}

// classicRequest is a request sent from here that waits for the answers of
// the other servers.
type classicRequest struct {
	typ       int
	want      int // answers expected
	got       int
	sockets   []*server.RemoteSocket
	rooms     map[string]struct{}
	responses []server.Args
	done      chan struct{}
}

func newClassic(c Client, nsp *server.Namespace, opts ClassicOptions) *ClassicAdapter {
	a := &ClassicAdapter{
		MemoryAdapter: server.NewMemoryAdapter(nsp),
		nsp:           nsp,
		c:             c,
		opts:          opts,
		uid:           newUID(6),
		requests:      make(map[string]*classicRequest),
		ackRequests:   make(map[string]*ackRequest),
		sseHandlers:   make(map[string][]ServerSideEmitHandler),
	}
	name := nsp.Name()
	a.channel = opts.Key + "#" + name + "#"
	a.requestChannel = opts.Key + "-request#" + name + "#"
	a.responseChannel = opts.Key + "-response#" + name + "#"
	a.ownResponse = a.responseChannel + a.uid + "#"
	a.log = opts.Logger.With("adapter", "redis-classic", "nsp", name, "uid", a.uid)
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.pub = newPublishQueue(c, a.log, opts.PublishQueue, opts.PublishTimeout)
	a.sub = c.Subscribe(a.onMessage, SubscriberOptions{OnReconnect: a.onReconnect})
	ctx, cancel := context.WithTimeout(a.ctx, opts.RequestsTimeout)
	defer cancel()
	if err := a.sub.Subscribe(ctx, Pattern, a.channel+"*"); err != nil {
		a.log.Error("redis: cannot subscribe yet; retrying in the background", "err", err)
	}
	if err := a.sub.Subscribe(ctx, Channel, a.requestChannel, a.responseChannel, a.ownResponse); err != nil {
		a.log.Error("redis: cannot subscribe yet; retrying in the background", "err", err)
	}
	return a
}

// UID returns the adapter's uid, which names this server in the messages.
func (a *ClassicAdapter) UID() string { return a.uid }

func (a *ClassicAdapter) onReconnect(down time.Duration, cause error) {
	a.log.Warn("redis: resubscribed after losing the connection: broadcasts and requests published by the other servers meanwhile were lost",
		"down", down, "cause", cause)
}

// onMessage dispatches a message of the subscriber.
func (a *ClassicAdapter) onMessage(m Message) {
	var err error
	switch {
	case m.Kind == Pattern:
		err = a.onBroadcast(m.Channel, m.Payload)
	case m.Channel == a.requestChannel:
		err = a.onRequest(m.Payload)
	case m.Channel == a.responseChannel || m.Channel == a.ownResponse:
		err = a.onResponse(m.Payload)
	default:
		return
	}
	if err != nil {
		a.log.Warn("redis: message dropped", "channel", m.Channel, "err", err, "size", len(m.Payload))
	}
}

// publish publishes payload after the broadcasts queued before it, bounded
// by the requests timeout.
func (a *ClassicAdapter) publish(ctx context.Context, channel string, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, a.opts.RequestsTimeout)
	defer cancel()
	return a.pub.publish(ctx, PublishCmd(channel, payload))
}

// ServerCount implements server.Adapter: the subscribers of the request
// channel (PUBSUB NUMSUB), as the Node adapter counts.
func (a *ClassicAdapter) ServerCount(ctx context.Context) (int, error) {
	// Bounded: the client retries read-only commands while Redis is down.
	ctx, cancel := context.WithTimeout(ctx, a.opts.RequestsTimeout)
	defer cancel()
	n, err := a.c.NumSub(ctx, a.requestChannel)
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// Broadcast implements server.Adapter: the packet is delivered to this
// server's sockets at once and its PUBLISH for the other servers queued (as
// the Node adapter, which does not wait for Redis either): Broadcast returns
// without waiting for Redis. One goroutine per adapter sends the queued
// broadcasts in one pipeline, in the order of the Broadcast calls. The queue
// holds up to ClassicOptions.PublishQueue broadcasts; beyond, Broadcast waits for room or for ctx
// (a slow or unreachable Redis slows the emitters down instead of growing
// memory). Broadcast's error is what it knows at once: an encoding error,
// ErrClosed after Close, ctx's error while the queue is full. A publish
// that fails is logged with the number of broadcasts lost, and counted
// (LostBroadcasts).
func (a *ClassicAdapter) Broadcast(ctx context.Context, p *sio.Packet, opts server.BroadcastOptions) error {
	var err error
	if !opts.Flags.Local && !a.toLocalSocket(opts) {
		err = a.publishBroadcast(ctx, p, opts)
	}
	if lerr := a.MemoryAdapter.Broadcast(ctx, p, opts); lerr != nil {
		return lerr
	}
	return err
}

// Flush waits until the broadcasts queued before it are published (or
// failed), or ctx ends. It returns ErrClosed after Close.
func (a *ClassicAdapter) Flush(ctx context.Context) error { return a.pub.flush(ctx) }

// LostBroadcasts returns how many broadcasts could not be published to the
// other servers (each failure is also logged).
func (a *ClassicAdapter) LostBroadcasts() int64 { return a.pub.lost.Load() }

// toLocalSocket reports whether opts select one socket of this server by its
// id: with connection state recovery on, every Socket.Emit goes through
// Broadcast that way (as in socket.io, whose classic adapter publishes it for
// the other servers to drop: they have no such room). It is not published.
func (a *ClassicAdapter) toLocalSocket(opts server.BroadcastOptions) bool {
	if len(opts.Rooms) != 1 || len(opts.Except) != 0 {
		return false
	}
	_, ok := a.nsp.Socket(opts.Rooms[0])
	return ok
}

func (a *ClassicAdapter) publishBroadcast(ctx context.Context, p *sio.Packet, opts server.BroadcastOptions) error {
	msg, err := encodeBroadcast(a.uid, a.nsp.Name(), p, opts)
	if err != nil {
		return err
	}
	channel := a.channel
	if len(opts.Rooms) == 1 {
		channel += opts.Rooms[0] + "#"
	}
	if err := a.pub.enqueue(ctx, queued{cmd: PublishCmd(channel, msg)}); err != nil {
		return fmt.Errorf("redis: publish broadcast: %w", err)
	}
	return nil
}

// onBroadcast delivers a broadcast from another server to this server's
// sockets.
func (a *ClassicAdapter) onBroadcast(channel string, payload []byte) error {
	if len(channel) < len(a.channel) || channel[:len(a.channel)] != a.channel {
		return nil
	}
	// A broadcast to one room comes on its own channel: skip decoding it
	// when no socket of this server is in the room (as the Node adapter).
	if room, ok := strings.CutSuffix(channel[len(a.channel):], "#"); ok && room != "" {
		if ids, _ := a.MemoryAdapter.Sockets(a.ctx, []string{room}); len(ids) == 0 {
			return nil
		}
	}
	m, err := decodeBroadcast(payload)
	if err != nil {
		return err
	}
	if m.uid == a.uid || m.nsp != a.nsp.Name() {
		return nil
	}
	m.opts.Flags.Local = true
	return a.MemoryAdapter.Broadcast(a.ctx, m.packet, m.opts)
}

// Close implements server.Adapter: it sends the broadcasts still queued
// (bounded by RequestsTimeout), unsubscribes, fails the requests in
// flight and closes the local part.
func (a *ClassicAdapter) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	a.pub.close() // sends what was queued
	a.mu.Lock()
	for id, r := range a.requests {
		delete(a.requests, id)
		close(r.done)
	}
	clear(a.ackRequests)
	a.mu.Unlock()
	a.cancel()
	err := a.sub.Close()
	return errors.Join(err, a.MemoryAdapter.Close())
}
