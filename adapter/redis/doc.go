// Package redis connects duplex servers into a Socket.IO cluster over Redis,
// wire-compatible with the official Node adapters, so that duplex nodes and
// Node socket.io 4.8 nodes can share one Redis.
//
// It has its own Go module (github.com/duplexio/duplex/adapter/redis), so
// that a program that imports only the server or the client does not build
// Redis in.
//
// The modes have one shape: NewClassic, NewSharded and NewStreams take a
// Client and the mode's options (a pointer; nil is the defaults) and return
// a value whose Adapter method is server.Options.Adapter and whose Close
// ends what the mode owns:
//
//   - classic: @socket.io/redis-adapter 8.3 createAdapter (PSUBSCRIBE,
//     notepack msgpack broadcasts, JSON requests);
//   - sharded: the same package's createShardedAdapter (SPUBLISH /
//     SSUBSCRIBE, Redis 7);
//   - streams: @socket.io/redis-streams-adapter 0.3 (XADD / XREAD, sessions
//     kept in Redis: connection state recovery across nodes).
//
// A program that has no server emits to a cluster with an Emitter:
// NewClassicEmitter (what @socket.io/redis-emitter 5.1 writes),
// NewShardedEmitter and NewStreamsEmitter take the same arguments as the
// mode.
//
// All of them talk to Redis through Client, a small interface of this
// package; NewClient implements it over github.com/redis/rueidis. In every
// mode a broadcast does not wait for Redis: each namespace's adapter queues
// its publishes (bounded, in order) and sends what is queued in one pipeline
// (Pipeliner); a failed publish is logged and counted, not returned.
//
// docs/cluster.md compares the modes and shows how to run a cluster.
package redis
