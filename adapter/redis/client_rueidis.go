package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redis/rueidis"
)

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Addrs are the Redis addresses (host:port). One address: a single
	// server; several: rueidis finds out whether they form a cluster.
	Addrs    []string
	Username string
	Password string
	DB       int
	// Logger receives the reconnections of subscribers (default
	// slog.Default()).
	Logger *slog.Logger
	// Rueidis, when set, is used as is instead of the fields above (its
	// DisableCache is forced on: the adapters use no client-side caching).
	Rueidis *rueidis.ClientOption
}

// NewClient returns a Client over rueidis (auto-pipelined commands, blocking
// XREAD on a connection of its own, one dedicated connection per Subscriber).
// With one address that cannot be reached yet it still returns a client, for
// a single server (a Redis Cluster must be reachable when the client is
// made, for rueidis to find its shards).
func NewClient(opts ClientOptions) (Client, error) {
	var ro rueidis.ClientOption
	if opts.Rueidis != nil {
		ro = *opts.Rueidis
	} else {
		ro = rueidis.ClientOption{InitAddress: opts.Addrs, Username: opts.Username, Password: opts.Password, SelectDB: opts.DB}
	}
	ro.DisableCache = true
	c, err := rueidis.NewClient(ro)
	if err != nil && opts.Rueidis == nil && len(opts.Addrs) == 1 {
		// One address, unreachable now: rueidis cannot tell a single server
		// from a cluster, and would fail. Take it as a single server, whose
		// commands fail until it is reachable (the subscribers retry).
		ro.ForceSingleClient = true
		if c2, err2 := rueidis.NewClient(ro); c2 != nil {
			log := opts.Logger
			if log == nil {
				log = slog.Default()
			}
			log.Warn("redis: unreachable at start; taken as a single server, commands fail until it is back", "addr", opts.Addrs[0], "err", err)
			c, err = c2, nil
			_ = err2
		}
	}
	if err != nil {
		return nil, fmt.Errorf("redis: connect to %v: %w", ro.InitAddress, err)
	}
	return NewClientFromRueidis(c, opts.Logger), nil
}

// NewClientFromRueidis returns a Client over an existing rueidis client (which
// the returned Client's Close closes).
func NewClientFromRueidis(c rueidis.Client, logger *slog.Logger) Client {
	if logger == nil {
		logger = slog.Default()
	}
	return &rueidisClient{c: c, log: logger}
}

type rueidisClient struct {
	c   rueidis.Client
	log *slog.Logger
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, rueidis.ErrClosing) {
		return fmt.Errorf("redis: %s: %w", op, ErrClosed)
	}
	return fmt.Errorf("redis: %s: %w", op, err)
}

func (r *rueidisClient) Publish(ctx context.Context, channel string, payload []byte) error {
	cmd := r.c.B().Publish().Channel(channel).Message(rueidis.BinaryString(payload)).Build()
	return wrap("PUBLISH", r.c.Do(ctx, cmd).Error())
}

func (r *rueidisClient) SPublish(ctx context.Context, channel string, payload []byte) error {
	cmd := r.c.B().Spublish().Channel(channel).Message(rueidis.BinaryString(payload)).Build()
	return wrap("SPUBLISH", r.c.Do(ctx, cmd).Error())
}

func (r *rueidisClient) NumSub(ctx context.Context, channel string) (int64, error) {
	m, err := r.c.Do(ctx, r.c.B().PubsubNumsub().Channel(channel).Build()).AsIntMap()
	if err != nil {
		return 0, wrap("PUBSUB NUMSUB", err)
	}
	return m[channel], nil
}

func (r *rueidisClient) ShardNumSub(ctx context.Context, channel string) (int64, error) {
	m, err := r.c.Do(ctx, r.c.B().PubsubShardnumsub().Channel(channel).Build()).AsIntMap()
	if err != nil {
		return 0, wrap("PUBSUB SHARDNUMSUB", err)
	}
	return m[channel], nil
}

func (r *rueidisClient) XAdd(ctx context.Context, stream string, maxLen int64, fields ...string) (string, error) {
	if len(fields) == 0 || len(fields)%2 != 0 {
		return "", fmt.Errorf("redis: XADD: %d field arguments, want pairs", len(fields))
	}
	args := make([]string, 0, 6+len(fields))
	args = append(args, "XADD", stream)
	if maxLen > 0 {
		args = append(args, "MAXLEN", "~", strconv.FormatInt(maxLen, 10))
	}
	args = append(args, "*")
	args = append(args, fields...)
	id, err := r.c.Do(ctx, r.c.B().Arbitrary(args[0]).Keys(stream).Args(args[2:]...).Build()).ToString()
	return id, wrap("XADD", err)
}

func (r *rueidisClient) XRead(ctx context.Context, stream, id string, count int64, block time.Duration) ([]StreamEntry, error) {
	args := []string{"COUNT", strconv.FormatInt(max(count, 1), 10)}
	if block > 0 {
		args = append(args, "BLOCK", strconv.FormatInt(max(block.Milliseconds(), 1), 10))
	}
	args = append(args, "STREAMS")
	cmd := r.c.B().Arbitrary("XREAD").Args(args...).Keys(stream).Args(id)
	var res rueidis.RedisResult
	if block > 0 {
		res = r.c.Do(ctx, cmd.Blocking())
	} else {
		res = r.c.Do(ctx, cmd.ReadOnly())
	}
	m, err := res.AsXRead()
	if rueidis.IsRedisNil(err) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("XREAD", err)
	}
	return entries(m[stream]), nil
}

func (r *rueidisClient) XRange(ctx context.Context, stream, start, end string) ([]StreamEntry, error) {
	es, err := r.c.Do(ctx, r.c.B().Xrange().Key(stream).Start(start).End(end).Build()).AsXRange()
	if err != nil {
		return nil, wrap("XRANGE", err)
	}
	return entries(es), nil
}

func entries(es []rueidis.XRangeEntry) []StreamEntry {
	if len(es) == 0 {
		return nil
	}
	out := make([]StreamEntry, len(es))
	for i, e := range es {
		out[i] = StreamEntry{ID: e.ID, Fields: e.FieldValues}
	}
	return out
}

func (r *rueidisClient) SetPX(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	cmd := r.c.B().Set().Key(key).Value(rueidis.BinaryString(value)).PxMilliseconds(max(ttl.Milliseconds(), 1)).Build()
	return wrap("SET", r.c.Do(ctx, cmd).Error())
}

func (r *rueidisClient) GetDel(ctx context.Context, key string) ([]byte, bool, error) {
	res := r.c.DoMulti(ctx,
		r.c.B().Multi().Build(),
		r.c.B().Get().Key(key).Build(),
		r.c.B().Del().Key(key).Build(),
		r.c.B().Exec().Build(),
	)
	for _, x := range res[:3] {
		if err := x.Error(); err != nil {
			return nil, false, wrap("MULTI GET DEL EXEC", err)
		}
	}
	arr, err := res[3].ToArray()
	if err != nil {
		return nil, false, wrap("MULTI GET DEL EXEC", err)
	}
	if len(arr) != 2 {
		return nil, false, fmt.Errorf("redis: MULTI GET DEL EXEC: %d replies, want 2", len(arr))
	}
	s, err := arr[0].ToString()
	if rueidis.IsRedisNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("GET", err)
	}
	return []byte(s), true, nil
}

func (r *rueidisClient) Close() { r.c.Close() }

func (r *rueidisClient) Subscribe(handler func(Message), opts SubscriberOptions) Subscriber {
	if opts.RetryMin <= 0 {
		opts.RetryMin = 50 * time.Millisecond
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(2*time.Second, opts.RetryMin)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &subscriber{
		c: r.c, log: r.log, handler: handler, opts: opts,
		ctx: ctx, cancel: cancel, done: make(chan struct{}),
		up: make(chan struct{}),
	}
	for k := range s.set {
		s.set[k] = make(map[string]struct{})
	}
	go s.run()
	return s
}

// subscriber is the rueidis Subscriber: run owns the dedicated connection and
// replaces it when it fails; smu serializes the subscription commands (and
// the resubscription of the whole set after a reconnection).
type subscriber struct {
	c       rueidis.Client
	log     *slog.Logger
	handler func(Message)
	opts    SubscriberOptions

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	smu sync.Mutex
	set [3]map[string]struct{}
	dc  rueidis.DedicatedClient // nil while no connection is subscribed
	up  chan struct{}           // closed once the first connection is subscribed
}

func (s *subscriber) command(dc rueidis.DedicatedClient, kind Kind, unsub bool, names []string) rueidis.Completed {
	b := dc.B()
	switch {
	case kind == Channel && !unsub:
		return b.Subscribe().Channel(names...).Build()
	case kind == Channel:
		return b.Unsubscribe().Channel(names...).Build()
	case kind == Pattern && !unsub:
		return b.Psubscribe().Pattern(names...).Build()
	case kind == Pattern:
		return b.Punsubscribe().Pattern(names...).Build()
	case !unsub:
		return b.Ssubscribe().Channel(names...).Build()
	default:
		return b.Sunsubscribe().Channel(names...).Build()
	}
}

func (s *subscriber) onMessage(m rueidis.PubSubMessage) {
	msg := Message{Kind: Channel, Channel: m.Channel, Pattern: m.Pattern, Payload: []byte(m.Message)}
	if m.Pattern != "" {
		msg.Kind = Pattern
	}
	s.handler(msg)
}

// connect dials a dedicated connection and subscribes it to the whole set.
func (s *subscriber) connect() (rueidis.DedicatedClient, func(), <-chan error, error) {
	dc, release := s.c.Dedicate()
	errc := dc.SetPubSubHooks(rueidis.PubSubHooks{OnMessage: s.onMessage, OnSubscription: func(rueidis.PubSubSubscription) {}})
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	for k, set := range s.set {
		if len(set) == 0 {
			continue
		}
		names := make([]string, 0, len(set))
		for n := range set {
			names = append(names, n)
		}
		if err := dc.Do(ctx, s.command(dc, Kind(k), false, names)).Error(); err != nil {
			dc.Close()
			release()
			return nil, nil, nil, err
		}
	}
	return dc, release, errc, nil
}

func (s *subscriber) run() {
	defer close(s.done)
	wait := s.opts.RetryMin
	var lostAt time.Time
	var lostErr error
	for {
		s.smu.Lock()
		dc, release, errc, err := s.connect()
		if err == nil {
			s.dc = dc
			if lostAt.IsZero() {
				close(s.up)
			}
		}
		s.smu.Unlock()
		if err == nil {
			if !lostAt.IsZero() {
				down := time.Since(lostAt)
				s.log.Warn("redis: subscriber reconnected; messages published while it was down are lost", "down", down, "cause", lostErr)
				if s.opts.OnReconnect != nil {
					s.opts.OnReconnect(down, lostErr)
				}
			}
			wait = s.opts.RetryMin
			select {
			case err = <-errc:
			case <-s.ctx.Done():
			}
			s.smu.Lock()
			s.dc = nil
			s.smu.Unlock()
			dc.Close()
			for range errc { // the hooks are not called anymore once errc is closed
			}
			release()
			if s.ctx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("connection closed")
			}
			lostAt, lostErr = time.Now(), err
			s.log.Warn("redis: subscriber lost its connection; reconnecting", "err", err)
		} else if s.ctx.Err() != nil {
			return
		} else if lostAt.IsZero() {
			lostAt, lostErr = time.Now(), err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return
		}
		wait = min(2*wait, s.opts.RetryMax)
	}
}

func (s *subscriber) change(ctx context.Context, kind Kind, unsub bool, names []string) error {
	if len(names) == 0 {
		return nil
	}
	if kind < Channel || kind > Shard {
		return fmt.Errorf("redis: subscribe: unknown kind %d", kind)
	}
	if s.ctx.Err() != nil {
		return ErrClosed
	}
	// Wait for the first connection, so that a Subscribe made right after
	// creating the subscriber is confirmed when it returns.
	select {
	case <-s.up:
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	for _, n := range names {
		if unsub {
			delete(s.set[kind], n)
		} else {
			s.set[kind][n] = struct{}{}
		}
	}
	if s.dc == nil {
		if unsub {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("redis: subscribe %s %v: %w", kind, names, err)
		}
		return fmt.Errorf("redis: subscribe %s %v: not connected (will subscribe on reconnection)", kind, names)
	}
	op := "subscribe"
	if unsub {
		op = "unsubscribe"
	}
	if err := s.dc.Do(ctx, s.command(s.dc, kind, unsub, names)).Error(); err != nil {
		return fmt.Errorf("redis: %s %s %v: %w", op, kind, names, err)
	}
	return nil
}

func (s *subscriber) Subscribe(ctx context.Context, kind Kind, names ...string) error {
	return s.change(ctx, kind, false, names)
}

func (s *subscriber) Unsubscribe(ctx context.Context, kind Kind, names ...string) error {
	return s.change(ctx, kind, true, names)
}

func (s *subscriber) Close() error {
	s.cancel()
	<-s.done
	return nil
}
