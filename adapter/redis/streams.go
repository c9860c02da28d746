package redis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// StreamsOptions configures NewStreams. The zero value gives the defaults of
// @socket.io/redis-streams-adapter 0.3.1, whose nodes share the cluster.
type StreamsOptions struct {
	// StreamName is the stream every node reads and appends to (default
	// "socket.io"; Node's streamCount is 1: one stream for every namespace).
	StreamName string
	// ChannelPrefix prefixes the pub/sub channels of requests and responses
	// (default "socket.io").
	ChannelPrefix string
	// UseShardedPubSub sends requests and responses with SPUBLISH and
	// SSUBSCRIBE (Redis 7) instead of PUBLISH and SUBSCRIBE.
	UseShardedPubSub bool
	// MaxLen trims the stream to about this many entries (default 10000):
	// a client that missed more than that is not recovered.
	MaxLen int64
	// ReadCount is the COUNT of each XREAD (default 100).
	ReadCount int64
	// BlockTime is the BLOCK of each XREAD (default 5 s).
	BlockTime time.Duration
	// SessionKeyPrefix prefixes the keys of recovery sessions (default
	// "sio:session:").
	SessionKeyPrefix string
	// OnlyPlaintext writes stream entries as JSON even when they carry
	// binary values (which then do not survive).
	OnlyPlaintext bool
	// Cluster configures each namespace's cluster.Adapter.
	Cluster *cluster.Config
	// Logger receives what goes wrong with Redis (default slog.Default()).
	Logger *slog.Logger
}

func (o *StreamsOptions) withDefaults() StreamsOptions {
	var c StreamsOptions
	if o != nil {
		c = *o
	}
	if c.StreamName == "" {
		c.StreamName = "socket.io"
	}
	if c.ChannelPrefix == "" {
		c.ChannelPrefix = "socket.io"
	}
	if c.MaxLen <= 0 {
		c.MaxLen = 10000
	}
	if c.ReadCount <= 0 {
		c.ReadCount = 100
	}
	if c.BlockTime <= 0 {
		c.BlockTime = 5 * time.Second
	}
	if c.SessionKeyPrefix == "" {
		c.SessionKeyPrefix = "sio:session:"
	}
	c.Cluster, c.Logger = clusterDefaults(c.Cluster, c.Logger)
	return c
}

// Streams is the streams mode of one process, wire-compatible with
// @socket.io/redis-streams-adapter 0.3.1: broadcasts and room changes are
// appended to a Redis stream that every node reads (XADD, XREAD), requests
// and responses go by pub/sub, the server count is the number of subscribers
// of the namespace's channel (PUBSUB NUMSUB), and connection state recovery
// sessions are kept in Redis (SET sio:session:<pid>, restored with MULTI GET
// DEL EXEC and XRANGE), so that a client recovers on any node.
//
// Beyond the Node adapter, a duplex node writes each session's key when the
// socket connects and whenever its rooms or data change (refreshing its
// expiry), not only when it sees the disconnect: a client whose node is lost
// (killed, unplugged) is recovered by another node too. Node nodes read
// those keys as their own.
//
// One Streams serves every namespace of a server: pass its Adapter method as
// server.Options.Adapter. It owns one goroutine reading the stream, one
// writing sessions, and a Subscriber; Close ends them.
type Streams struct {
	c    Client
	opts StreamsOptions
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sub    Subscriber
	writes *sessionWriter

	mu        sync.Mutex
	byNsp     map[string]*streamsTransport
	byChannel map[string]*streamsTransport
}

// NewStreams starts the streams mode over c (which the caller keeps and
// closes after Close).
func NewStreams(c Client, opts *StreamsOptions) *Streams {
	o := opts.withDefaults()
	s := &Streams{
		c:         c,
		opts:      o,
		log:       o.Logger,
		byNsp:     make(map[string]*streamsTransport),
		byChannel: make(map[string]*streamsTransport),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.sub = c.Subscribe(s.onPubSub, SubscriberOptions{OnReconnect: func(down time.Duration, err error) {
		s.log.Warn("redis streams: pub/sub connection was lost and is back: requests and responses published meanwhile were lost",
			"down", down, slog.Any("error", err))
	}})
	s.writes = newSessionWriter(c, o.Logger)
	s.wg.Add(2)
	go s.readLoop()
	go func() { defer s.wg.Done(); s.writes.run(s.ctx) }()
	return s
}

// Adapter returns the cluster adapter of nsp (server.Options.Adapter).
func (s *Streams) Adapter(nsp *server.Namespace) server.Adapter {
	t := &streamsTransport{s: s, nsp: nsp.Name()}
	t.a = cluster.New(nsp, t, s.opts.Cluster)
	t.public = s.opts.ChannelPrefix + "#" + nsp.Name() + "#"
	t.private = t.public + t.a.UID() + "#"
	s.mu.Lock()
	s.byNsp[t.nsp] = t
	s.byChannel[t.public] = t
	s.byChannel[t.private] = t
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.sub.Subscribe(ctx, s.kind(), t.public, t.private); err != nil {
		s.log.Warn("redis streams: cannot subscribe now (retried on reconnection)", "nsp", t.nsp, slog.Any("error", err))
	}
	return t.a
}

func (s *Streams) kind() Kind {
	if s.opts.UseShardedPubSub {
		return Shard
	}
	return Channel
}

// Close stops reading the stream and the channels, after the session writes
// queued so far (at most 2 s). The servers' adapters should be closed first
// (server.Server.Close does it).
func (s *Streams) Close() error {
	// The sessions of the sockets closed last are still being written.
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	s.writes.drain(ctx)
	cancel()
	s.cancel()
	err := s.sub.Close()
	s.wg.Wait()
	return err
}

func (s *Streams) publish(ctx context.Context, channel string, b []byte) error {
	if s.opts.UseShardedPubSub {
		return s.c.SPublish(ctx, channel, b)
	}
	return s.c.Publish(ctx, channel, b)
}

// onPubSub handles a request or response of the channels.
func (s *Streams) onPubSub(msg Message) {
	s.mu.Lock()
	t := s.byChannel[msg.Channel]
	s.mu.Unlock()
	if t == nil {
		return
	}
	m, err := decodeClusterMessage(msg.Payload)
	if err != nil {
		s.log.Warn("redis streams: ignoring a malformed pub/sub message", "channel", msg.Channel, slog.Any("error", err))
		return
	}
	t.a.OnMessage(m, "")
}

// readLoop reads the stream from the entries added after it started, and
// hands each to its namespace's adapter, until Close. When Redis fails it
// retries from the last entry read, so nothing the stream still holds is
// lost.
func (s *Streams) readLoop() {
	defer s.wg.Done()
	offset := "$"
	var failing time.Time
	wait := 50 * time.Millisecond
	for s.ctx.Err() == nil {
		es, err := s.c.XRead(s.ctx, s.opts.StreamName, offset, s.opts.ReadCount, s.opts.BlockTime)
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			if failing.IsZero() {
				failing = time.Now()
				s.log.Warn("redis streams: cannot read the stream; retrying from the last entry read", "offset", offset, slog.Any("error", err))
			}
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
			continue
		}
		if !failing.IsZero() {
			s.log.Info("redis streams: reading the stream again", "offset", offset, "down", time.Since(failing))
			failing, wait = time.Time{}, 50*time.Millisecond
			s.checkOffset(offset)
		}
		for _, e := range es {
			offset = e.ID
			s.onEntry(e)
		}
	}
}

// checkOffset logs when the entry last read is gone from the stream after
// an outage (Redis restarted without persistence, or the stream trimmed):
// the entries between it and the oldest one left were lost.
func (s *Streams) checkOffset(offset string) {
	if offset == "$" {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if es, err := s.c.XRange(ctx, s.opts.StreamName, offset, offset); err == nil && len(es) == 0 {
		s.log.Warn("redis streams: the last entry read is gone from the stream (Redis restarted empty?): entries added after it and since removed were lost, and sessions that missed them cannot be recovered",
			"offset", offset)
	}
}

// onEntry hands a stream entry to its namespace's adapter.
func (s *Streams) onEntry(e StreamEntry) {
	nsp := e.Fields["nsp"]
	if nsp == "" {
		return
	}
	s.mu.Lock()
	t := s.byNsp[nsp]
	s.mu.Unlock()
	if t == nil {
		return
	}
	m, err := decodeEntry(e)
	if err != nil {
		s.log.Warn("redis streams: ignoring a malformed stream entry", "id", e.ID, slog.Any("error", err))
		return
	}
	t.a.OnMessage(m, e.ID)
}

// decodeEntry decodes a stream entry {uid, nsp, type, data}: data is JSON, or
// base64 of msgpack when it does not start with '{'.
func decodeEntry(e StreamEntry) (*cluster.Message, error) {
	typ, err := strconv.Atoi(e.Fields["type"])
	if err != nil {
		return nil, fmt.Errorf("%w: type %q", cluster.ErrMalformed, e.Fields["type"])
	}
	m := &cluster.Message{Type: cluster.MessageType(typ), UID: e.Fields["uid"], NSP: e.Fields["nsp"]}
	raw := e.Fields["data"]
	if raw == "" {
		return m, nil
	}
	b, binary := []byte(raw), raw[0] != '{'
	if binary {
		if b, err = base64.StdEncoding.DecodeString(raw); err != nil {
			return nil, fmt.Errorf("%w: data: %v", cluster.ErrMalformed, err)
		}
	}
	if m.Data, err = decodeData(m.Type, b, binary); err != nil {
		return nil, err
	}
	return m, nil
}

// streamsTransport is the cluster.Transport of one namespace.
type streamsTransport struct {
	s               *Streams
	nsp             string
	a               *cluster.Adapter
	public, private string
}

// ephemeral reports whether m goes by pub/sub (the Node adapter's
// isEphemeral): requests, and broadcasts with acks.
func ephemeral(m *cluster.Message) bool {
	if d, ok := m.Data.(*cluster.BroadcastData); ok {
		return d.RequestID != ""
	}
	return m.Type == cluster.ServerSideEmit || m.Type == cluster.FetchSockets
}

// Publish implements cluster.Transport.
func (t *streamsTransport) Publish(ctx context.Context, m *cluster.Message) (string, error) {
	return publishStreams(ctx, t.s.c, &t.s.opts, m)
}

// PublishBatch implements cluster.BatchPublisher: the commands of ms in
// one pipeline, in order.
func (t *streamsTransport) PublishBatch(ctx context.Context, ms []*cluster.Message) ([]string, []error) {
	return publishBatch(ctx, t.s.c, ms, func(m *cluster.Message) (Cmd, error) { return streamsCmd(&t.s.opts, m) })
}

// publishBatch sends the commands that cmdOf makes of ms in one pipeline,
// in order; a message that cannot be encoded fails alone.
func publishBatch(ctx context.Context, c Client, ms []*cluster.Message, cmdOf func(*cluster.Message) (Cmd, error)) ([]string, []error) {
	offsets, errs := make([]string, len(ms)), make([]error, len(ms))
	cmds := make([]Cmd, 0, len(ms))
	idx := make([]int, 0, len(ms))
	for i, m := range ms {
		cmd, err := cmdOf(m)
		if err != nil {
			errs[i] = err
			continue
		}
		cmds = append(cmds, cmd)
		idx = append(idx, i)
	}
	if len(cmds) == 0 {
		return offsets, errs
	}
	replies, perrs := pipeline(ctx, c, cmds)
	for j, i := range idx {
		errs[i] = perrs[j]
		if cmds[j].Name == "XADD" {
			offsets[i] = replies[j]
		}
	}
	return offsets, errs
}

// publishStreams sends m as a node of the streams mode does (streamsCmd)
// and returns its stream entry's id ("" for a request).
func publishStreams(ctx context.Context, c Client, o *StreamsOptions, m *cluster.Message) (string, error) {
	cmd, err := streamsCmd(o, m)
	if err != nil {
		return "", err
	}
	switch cmd.Name {
	case "PUBLISH":
		return "", c.Publish(ctx, cmd.Key, []byte(cmd.Args[0]))
	case "SPUBLISH":
		return "", c.SPublish(ctx, cmd.Key, []byte(cmd.Args[0]))
	}
	return c.XAdd(ctx, cmd.Key, o.MaxLen, streamFieldsOf(cmd)...)
}

// streamFieldsOf returns the field-value pairs of an XADD command of
// XAddCmd (what follows "*").
func streamFieldsOf(cmd Cmd) []string {
	for i, a := range cmd.Args {
		if a == "*" {
			return cmd.Args[i+1:]
		}
	}
	return nil
}

// streamsCmd returns the command of m in the streams mode: requests by
// pub/sub (msgpack of the whole message), everything else as a stream entry
// {uid, nsp, type, data} (data JSON, or base64 of msgpack when binary).
func streamsCmd(o *StreamsOptions, m *cluster.Message) (Cmd, error) {
	if ephemeral(m) {
		b, err := marshalMsgpack(m, m.Attachments())
		if err != nil {
			return Cmd{}, err
		}
		channel := o.ChannelPrefix + "#" + m.NSP + "#"
		if o.UseShardedPubSub {
			return SPublishCmd(channel, b), nil
		}
		return PublishCmd(channel, b), nil
	}
	fields := []string{"uid", m.UID, "nsp", m.NSP, "type", strconv.Itoa(int(m.Type))}
	if m.Data != nil {
		var data string
		if m.Binary() && !o.OnlyPlaintext {
			b, err := marshalMsgpack(m.Data, m.Attachments())
			if err != nil {
				return Cmd{}, err
			}
			data = base64.StdEncoding.EncodeToString(b)
		} else {
			b, err := json.Marshal(m.Data)
			if err != nil {
				return Cmd{}, err
			}
			data = string(b)
		}
		fields = append(fields, "data", data)
	}
	return XAddCmd(o.StreamName, o.MaxLen, fields...), nil
}

// PublishResponse implements cluster.Transport.
func (t *streamsTransport) PublishResponse(ctx context.Context, uid string, m *cluster.Message) error {
	b, err := marshalMsgpack(m, m.Attachments())
	if err != nil {
		return err
	}
	return t.s.publish(ctx, t.s.opts.ChannelPrefix+"#"+t.nsp+"#"+uid+"#", b)
}

// ServerCount implements cluster.Transport: the subscribers of the
// namespace's channel.
func (t *streamsTransport) ServerCount(ctx context.Context) (int, error) {
	var n int64
	var err error
	if t.s.opts.UseShardedPubSub {
		n, err = t.s.c.ShardNumSub(ctx, t.public)
	} else {
		n, err = t.s.c.NumSub(ctx, t.public)
	}
	return int(n), err
}

// Close takes the namespace off the stream and its channels (the adapter's
// Close calls it).
func (t *streamsTransport) Close() error {
	s := t.s
	s.mu.Lock()
	if s.byNsp[t.nsp] == t {
		delete(s.byNsp, t.nsp)
	}
	delete(s.byChannel, t.public)
	delete(s.byChannel, t.private)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.sub.Unsubscribe(ctx, s.kind(), t.public, t.private); err != nil && s.ctx.Err() == nil {
		s.log.Debug("redis streams: cannot unsubscribe", "nsp", t.nsp, slog.Any("error", err))
	}
	return nil
}
