package redis

import (
	"context"
	"errors"
	"time"
)

// Client is the part of Redis that the adapters and emitters of this package
// use: pub/sub (classic and sharded), PUBSUB NUMSUB / SHARDNUMSUB, streams and
// the session keys of connection state recovery. NewClient implements it over
// rueidis; tests and other Redis clients can plug in their own.
//
// Every method is safe for concurrent use. Methods fail with an error wrapping
// the client's own when Redis cannot be reached. NewClient's never retries
// writes, but retries reads (NUMSUB, XRANGE, XREAD...) until ctx ends: bound
// ctx.
type Client interface {
	// Publish sends payload on channel (PUBLISH).
	Publish(ctx context.Context, channel string, payload []byte) error
	// SPublish sends payload on the shard channel (SPUBLISH, Redis 7).
	SPublish(ctx context.Context, channel string, payload []byte) error
	// NumSub returns the number of subscribers of channel (PUBSUB NUMSUB).
	NumSub(ctx context.Context, channel string) (int64, error)
	// ShardNumSub returns the number of subscribers of the shard channel
	// (PUBSUB SHARDNUMSUB).
	ShardNumSub(ctx context.Context, channel string) (int64, error)

	// Subscribe returns a Subscriber that calls handler for every message of
	// the channels and patterns it is subscribed to, one message at a time in
	// the order Redis sent them. handler must not block for long (it holds up
	// the next messages); it may call the Client's other methods.
	Subscribe(handler func(Message), opts SubscriberOptions) Subscriber

	// XAdd appends an entry with the given field-value pairs to stream,
	// trimming it to about maxLen entries (XADD stream MAXLEN ~ maxLen * ...;
	// no trimming when maxLen <= 0). It returns the entry's id.
	XAdd(ctx context.Context, stream string, maxLen int64, fields ...string) (string, error)
	// XRead returns up to count entries of stream after id (XREAD COUNT count
	// BLOCK block STREAMS stream id), waiting up to block for one to arrive
	// (block <= 0: no BLOCK, returns at once). It returns no entries and no
	// error when none arrived in time. id "$" means entries added from now on.
	XRead(ctx context.Context, stream, id string, count int64, block time.Duration) ([]StreamEntry, error)
	// XRange returns the entries of stream from start to end inclusive
	// (XRANGE stream start end; "-" and "+" for the ends).
	XRange(ctx context.Context, stream, start, end string) ([]StreamEntry, error)

	// SetPX sets key to value, expiring after ttl (SET key value PX ms).
	SetPX(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// GetDel returns the value of key and deletes it in one transaction
	// (MULTI GET DEL EXEC, as the Node streams adapter does). ok is false
	// when the key does not exist.
	GetDel(ctx context.Context, key string) (value []byte, ok bool, err error)

	// Close closes the connections; Subscribers made by Subscribe stop.
	Close()
}

// Kind says what a Subscriber subscribes to.
type Kind int

// The kinds of subscriptions.
const (
	Channel Kind = iota // SUBSCRIBE channel
	Pattern             // PSUBSCRIBE pattern
	Shard               // SSUBSCRIBE shard channel (Redis 7)
)

func (k Kind) String() string {
	switch k {
	case Channel:
		return "channel"
	case Pattern:
		return "pattern"
	case Shard:
		return "shard channel"
	}
	return "kind?"
}

// Message is a pub/sub message received by a Subscriber.
type Message struct {
	Kind    Kind   // Pattern for a pmessage, Channel otherwise (smessage included)
	Pattern string // the pattern that matched, for Kind Pattern
	Channel string
	Payload []byte
}

// StreamEntry is an entry of a Redis stream.
type StreamEntry struct {
	ID     string
	Fields map[string]string
}

// SubscriberOptions configure a Subscriber.
type SubscriberOptions struct {
	// OnReconnect is called after the subscriber's connection was lost and a
	// new one has subscribed again to everything: down is how long no
	// subscription was active (messages published meanwhile are lost), err
	// what ended the old connection.
	OnReconnect func(down time.Duration, err error)
	// RetryMin and RetryMax bound the wait between two reconnection
	// attempts (defaults 50 ms and 2 s; it doubles from the first to the
	// second).
	RetryMin, RetryMax time.Duration
}

// Subscriber receives the messages of a set of channels, patterns and shard
// channels on a connection of its own, which it replaces (subscribing again to
// the whole set) when it is lost, until Close.
type Subscriber interface {
	// Subscribe adds names (channels, patterns or shard channels, as kind
	// says) to the set, returning once Redis confirmed them, or with an
	// error when Redis cannot be reached now (they stay in the set, and are
	// subscribed to on the next reconnection).
	Subscribe(ctx context.Context, kind Kind, names ...string) error
	// Unsubscribe removes names from the set.
	Unsubscribe(ctx context.Context, kind Kind, names ...string) error
	// Close unsubscribes from everything and stops; the handler is not
	// called after Close returns.
	Close() error
}

// ErrClosed is returned by the methods of a closed Client or Subscriber.
var ErrClosed = errors.New("redis: closed")
