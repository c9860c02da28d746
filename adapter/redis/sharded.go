package redis

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// SubscriptionMode says which room channels a sharded node subscribes to
// (the Node adapter's subscriptionMode).
type SubscriptionMode string

// The subscription modes of @socket.io/redis-adapter 8.3's sharded adapter.
const (
	// Dynamic (the default): a channel per public room this node holds;
	// broadcasts to exactly one room that is not a socket id go there.
	Dynamic SubscriptionMode = "dynamic"
	// Static: the namespace's channel only.
	Static SubscriptionMode = "static"
	// DynamicPrivate: a channel per room, socket id rooms included.
	DynamicPrivate SubscriptionMode = "dynamic-private"
)

// ShardedOptions configures NewSharded. The zero value gives the defaults of
// @socket.io/redis-adapter 8.3.0's createShardedAdapter.
type ShardedOptions struct {
	// ChannelPrefix prefixes every channel (default "socket.io").
	ChannelPrefix string
	// SubscriptionMode (default Dynamic).
	SubscriptionMode SubscriptionMode
	// Cluster configures each namespace's cluster.Adapter.
	Cluster *cluster.Config
	// Logger receives what goes wrong with Redis (default slog.Default()).
	Logger *slog.Logger
}

func (o *ShardedOptions) withDefaults() ShardedOptions {
	var c ShardedOptions
	if o != nil {
		c = *o
	}
	if c.ChannelPrefix == "" {
		c.ChannelPrefix = "socket.io"
	}
	if c.SubscriptionMode == "" {
		c.SubscriptionMode = Dynamic
	}
	c.Cluster, c.Logger = clusterDefaults(c.Cluster, c.Logger)
	return c
}

// Sharded is the sharded pub/sub mode of one process (Redis 7),
// wire-compatible with createShardedAdapter of @socket.io/redis-adapter
// 8.3.0: every message is SPUBLISHed as JSON {type, data, uid, nsp} (msgpack
// of the same object when it carries binary values) on the namespace's
// channel "<prefix>#<nsp>#", on a room's channel "<prefix>#<nsp>#<room>#"
// for a broadcast without ack to exactly one room (Dynamic mode: not to a
// 20-character socket id), and responses on "<prefix>#<nsp>#<uid>#". The
// server count is PUBSUB SHARDNUMSUB of the namespace's channel.
//
// In Dynamic mode a node subscribes to a room's channel only while it holds
// the room: a broadcast sent right after a remote socketsJoin may miss a
// node that has not subscribed yet (the Node adapter has the same window).
//
// One Sharded serves every namespace of a server: pass its Adapter method as
// server.Options.Adapter. It owns a Subscriber and one goroutine that
// changes the room subscriptions in order; Close ends them.
type Sharded struct {
	c    Client
	opts ShardedOptions
	log  *slog.Logger
	sub  Subscriber

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	byChannel map[string]*shardedTransport
	subQ      []subChange
	wake      chan struct{}
}

// subChange is a room channel to subscribe to or leave.
type subChange struct {
	channel string
	t       *shardedTransport
	unsub   bool
}

// NewSharded starts the sharded mode over c (which the caller keeps and
// closes after Close).
func NewSharded(c Client, opts *ShardedOptions) *Sharded {
	o := opts.withDefaults()
	s := &Sharded{c: c, opts: o, log: o.Logger, byChannel: make(map[string]*shardedTransport), wake: make(chan struct{}, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.sub = c.Subscribe(s.onMessage, SubscriberOptions{OnReconnect: func(down time.Duration, err error) {
		s.log.Warn("redis sharded: pub/sub connection was lost and is back: messages published meanwhile were lost",
			"down", down, slog.Any("error", err))
	}})
	s.wg.Add(1)
	go s.subscriptions()
	return s
}

// Adapter returns the cluster adapter of nsp (server.Options.Adapter).
func (s *Sharded) Adapter(nsp *server.Namespace) server.Adapter {
	t := &shardedTransport{s: s, nsp: nsp.Name()}
	t.a = cluster.New(nsp, t, s.opts.Cluster)
	t.channel = s.opts.ChannelPrefix + "#" + nsp.Name() + "#"
	t.response = t.channel + t.a.UID() + "#"
	s.mu.Lock()
	s.byChannel[t.channel] = t
	s.byChannel[t.response] = t
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.sub.Subscribe(ctx, Shard, t.channel, t.response); err != nil {
		s.log.Warn("redis sharded: cannot subscribe now (retried on reconnection)", "nsp", t.nsp, slog.Any("error", err))
	}
	return t.a
}

// Close stops the subscriptions. The servers' adapters should be closed
// first (server.Server.Close does it).
func (s *Sharded) Close() error {
	s.cancel()
	err := s.sub.Close()
	s.wg.Wait()
	return err
}

func (s *Sharded) onMessage(msg Message) {
	s.mu.Lock()
	t := s.byChannel[msg.Channel]
	s.mu.Unlock()
	if t == nil {
		return
	}
	m, err := decodeClusterMessage(msg.Payload)
	if err != nil {
		s.log.Warn("redis sharded: ignoring a malformed message", "channel", msg.Channel, slog.Any("error", err))
		return
	}
	t.a.OnMessage(m, "")
}

// change queues a room subscription change.
func (s *Sharded) change(c subChange) {
	s.mu.Lock()
	if c.unsub {
		delete(s.byChannel, c.channel)
	} else {
		s.byChannel[c.channel] = c.t
	}
	s.subQ = append(s.subQ, c)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// subscriptions applies the room subscription changes in order until Close.
func (s *Sharded) subscriptions() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		}
		for {
			s.mu.Lock()
			if len(s.subQ) == 0 {
				s.mu.Unlock()
				break
			}
			c := s.subQ[0]
			s.subQ = s.subQ[1:]
			s.mu.Unlock()
			ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
			var err error
			if c.unsub {
				err = s.sub.Unsubscribe(ctx, Shard, c.channel)
			} else {
				err = s.sub.Subscribe(ctx, Shard, c.channel)
			}
			cancel()
			if err != nil && s.ctx.Err() == nil {
				s.log.Warn("redis sharded: cannot change a room subscription now", "channel", c.channel, "unsubscribe", c.unsub, slog.Any("error", err))
			}
		}
	}
}

// shardedTransport is the cluster.Transport of one namespace.
type shardedTransport struct {
	s                 *Sharded
	nsp               string
	a                 *cluster.Adapter
	channel, response string
}

// looksLikeASocketID is the Node adapter's test: socket ids are 20
// characters long.
func looksLikeASocketID(room string) bool { return len(room) == 20 }

// channelOf returns the channel m goes to.
func (t *shardedTransport) channelOf(m *cluster.Message) string {
	return shardedChannel(t.channel, t.s.opts.SubscriptionMode, m)
}

// shardedChannel returns the channel m goes to, channel being its
// namespace's (the Node adapter's computeChannel): a broadcast without ack
// to exactly one room goes to the room's channel in the dynamic modes
// (Dynamic: unless the room looks like a socket id).
func shardedChannel(channel string, mode SubscriptionMode, m *cluster.Message) string {
	d, ok := m.Data.(*cluster.BroadcastData)
	if !ok || d.RequestID != "" || len(d.Opts.Rooms) != 1 {
		return channel
	}
	switch mode {
	case Dynamic:
		if looksLikeASocketID(d.Opts.Rooms[0]) {
			return channel
		}
	case DynamicPrivate:
	default:
		return channel
	}
	return channel + d.Opts.Rooms[0] + "#"
}

// encode returns m as the Node adapter writes it: JSON, or msgpack when it
// carries binary values.
func encodeSharded(m *cluster.Message) ([]byte, error) {
	if m.Binary() {
		return marshalMsgpack(m, m.Attachments())
	}
	return json.Marshal(m)
}

// Publish implements cluster.Transport.
func (t *shardedTransport) Publish(ctx context.Context, m *cluster.Message) (string, error) {
	b, err := encodeSharded(m)
	if err != nil {
		return "", err
	}
	return "", t.s.c.SPublish(ctx, t.channelOf(m), b)
}

// PublishBatch implements cluster.BatchPublisher: the SPUBLISH commands of
// ms in one pipeline, in order.
func (t *shardedTransport) PublishBatch(ctx context.Context, ms []*cluster.Message) ([]string, []error) {
	return publishBatch(ctx, t.s.c, ms, func(m *cluster.Message) (Cmd, error) {
		b, err := encodeSharded(m)
		if err != nil {
			return Cmd{}, err
		}
		return SPublishCmd(t.channelOf(m), b), nil
	})
}

// PublishResponse implements cluster.Transport.
func (t *shardedTransport) PublishResponse(ctx context.Context, uid string, m *cluster.Message) error {
	b, err := encodeSharded(m)
	if err != nil {
		return err
	}
	return t.s.c.SPublish(ctx, t.channel+uid+"#", b)
}

// ServerCount implements cluster.Transport.
func (t *shardedTransport) ServerCount(ctx context.Context) (int, error) {
	n, err := t.s.c.ShardNumSub(ctx, t.channel)
	return int(n), err
}

// dynamic reports whether room has a channel of its own here.
func (t *shardedTransport) dynamic(room string) bool {
	switch t.s.opts.SubscriptionMode {
	case Dynamic:
		_, isSocket := t.a.Namespace().Socket(room)
		return !isSocket
	case DynamicPrivate:
		return true
	}
	return false
}

// RoomCreated implements cluster.RoomWatcher: subscribe to the room's channel.
func (t *shardedTransport) RoomCreated(room string) {
	if t.dynamic(room) {
		t.s.change(subChange{channel: t.channel + room + "#", t: t})
	}
}

// RoomDeleted implements cluster.RoomWatcher.
func (t *shardedTransport) RoomDeleted(room string) {
	if t.dynamic(room) {
		t.s.change(subChange{channel: t.channel + room + "#", t: t, unsub: true})
	}
}

// Close leaves the namespace's channels (the adapter's Close calls it).
func (t *shardedTransport) Close() error {
	s := t.s
	s.mu.Lock()
	var chans []string
	for ch, o := range s.byChannel {
		if o == t {
			chans = append(chans, ch)
			delete(s.byChannel, ch)
		}
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.sub.Unsubscribe(ctx, Shard, chans...); err != nil && s.ctx.Err() == nil {
		s.log.Debug("redis sharded: cannot unsubscribe", "nsp", t.nsp, slog.Any("error", err))
	}
	return nil
}
