//go:build !js

package redis_test

import "testing"

// TestShardedInterop runs a mixed sharded cluster (SPUBLISH/SSUBSCRIBE,
// dynamic room channels): the same checks as TestStreamsInterop.
func TestShardedInterop(t *testing.T) {
	m := startMixed(t, "sharded", shardedAdapter)
	t.Run("broadcast", func(t *testing.T) { testMixedBroadcasts(t, m) })
	t.Run("acks", func(t *testing.T) { testMixedAcks(t, m) })
	t.Run("fetch", func(t *testing.T) { testMixedFetch(t, m) })
	t.Run("serverSideEmit", func(t *testing.T) { testMixedServerSideEmit(t, m) })
}
