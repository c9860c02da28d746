package cluster

import (
	"context"

	"github.com/duplexio/duplex/server"
)

// Transport carries the messages of one namespace's Adapter between the
// nodes of a cluster. Incoming messages and responses are handed to
// Adapter.OnMessage, in the order they were published by each node.
type Transport interface {
	// Publish sends m to every other node of the cluster. It returns m's
	// offset when the transport numbers what it carries (a Redis stream
	// id), else "".
	Publish(ctx context.Context, m *Message) (offset string, err error)
	// PublishResponse sends m to node uid only.
	PublishResponse(ctx context.Context, uid string, m *Message) error
	// ServerCount returns the number of nodes of the cluster, this one
	// included.
	ServerCount(ctx context.Context) (int, error)
}

// SessionStore is an optional interface of a Transport that keeps connection
// state recovery sessions and numbered broadcasts for the whole cluster (as
// the Redis streams adapter does): the Adapter then appends the offsets that
// Publish returns to the events it delivers and leaves PersistSession and
// RestoreSession to the transport, so that a client recovers on any node.
// A transport that also implements server.SessionTracker is told of every
// session as it changes. Without a SessionStore, recovery is per server, by
// the embedded MemoryAdapter.
type SessionStore interface {
	PersistSession(ctx context.Context, s *server.SessionState) error
	RestoreSession(ctx context.Context, pid, offset string) (*server.SessionState, error)
}
