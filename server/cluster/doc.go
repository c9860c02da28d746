// Package cluster is the cluster protocol of socket.io-adapter's
// ClusterAdapter, transport-free: an [Adapter] that spans several servers
// (duplex nodes and Node socket.io nodes alike) over any [Transport] that can
// publish a message to every node and a response to one node (Redis streams,
// Redis sharded pub/sub; NATS or Postgres later).
//
// The Adapter embeds a *server.MemoryAdapter for the local sockets and
// forwards every operation that concerns other servers as a [Message]:
// broadcasts (with acks, counted per server), socketsJoin / socketsLeave /
// disconnectSockets, fetchSockets, serverSideEmit (with acks) and, in
// heartbeat mode, the heartbeats of ClusterAdapterWithHeartbeat. Messages
// are Go values whose JSON is Node's; binary values
// inside packets travel as attachments ([Payload]), which a transport writes
// as msgpack bin values, as Node writes Buffers.
//
// Broadcast does not wait for the transport: each Adapter queues what it
// publishes (bounded by Config.PublishQueue, in order) and one goroutine
// sends what is queued in one batch ([BatchPublisher]: one Redis round trip),
// then delivers the broadcasts locally, in order. A failed publish is logged
// and counted ([Adapter.LostBroadcasts]); [Adapter.Flush] waits for the queue.
//
// Requests (fetchSockets, serverSideEmit with acks) complete when every other
// server has answered, per the transport's server count, or fail with
// [ErrTimeout] after Options.RequestTimeout.
//
// [NewBus] is an in-process transport: the nodes of one process exchange
// encoded messages in memory (tests, examples).
package cluster
