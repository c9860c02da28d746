package redis

import (
	"context"

	"github.com/duplexio/duplex/server/cluster"
)

// NewShardedEmitter returns an emitter for the main namespace "/" of the
// sharded cluster that shares c and opts (its ChannelPrefix and
// SubscriptionMode; nil is the default): it SPUBLISHes the sharded format {type, data, uid, nsp}
// on the channel a node would use (@socket.io/redis-emitter's PUBLISH of the
// classic format reaches no sharded node).
func NewShardedEmitter(c Client, opts *ShardedOptions) Emitter {
	o := opts.withDefaults()
	return Emitter{nsp: "/", t: clusterEmitter(func(ctx context.Context, m *cluster.Message) error {
		b, err := encodeSharded(m)
		if err != nil {
			return err
		}
		return c.SPublish(ctx, shardedChannel(o.ChannelPrefix+"#"+m.NSP+"#", o.SubscriptionMode, m), b)
	})}
}
