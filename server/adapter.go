package server

import (
	"context"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// Adapter keeps a namespace's rooms and delivers its broadcasts. Every
// namespace has its own, created by Options.Adapter (NewMemoryAdapter by
// default). It is modelled on socket.io-adapter, so that an adapter spanning
// several servers (Redis, ...) can implement it: the methods that would talk to
// other servers take a context. A multi-server adapter typically embeds
// *MemoryAdapter for the local part and forwards to the other servers.
//
// Socket ids are rooms too: every socket is in the room named by its id.
type Adapter interface {
	// AddAll adds socket id to rooms.
	AddAll(id string, rooms []string)
	// Del removes socket id from room.
	Del(id, room string)
	// DelAll removes socket id from every room.
	DelAll(id string)
	// SocketRooms returns the rooms socket id is in (nil if unknown).
	SocketRooms(id string) []string
	// Sockets returns the ids of the sockets in any of rooms (every socket
	// when rooms is empty).
	Sockets(ctx context.Context, rooms []string) ([]string, error)

	// Broadcast sends p to the sockets selected by opts. p must not be
	// modified by the caller afterwards. With connection state recovery on,
	// the adapter numbers the events without ack id that are not volatile
	// (an offset appended as their last argument) and keeps them for
	// RestoreSession; Socket.Emit goes through Broadcast then too.
	Broadcast(ctx context.Context, p *sio.Packet, opts BroadcastOptions) error
	// BroadcastWithAck sends p (which has an ack id) to the sockets selected
	// by opts; onCount is called with the number of sockets it was sent to
	// (possibly several times, once per server), onAck once per socket with
	// its reply or with an error if the socket disconnected first. When ctx
	// ends the caller has stopped waiting: replies not yet received are
	// forgotten.
	BroadcastWithAck(ctx context.Context, p *sio.Packet, opts BroadcastOptions, onCount func(n int), onAck func(args Args, err error)) error

	// FetchSockets returns the sockets selected by opts.
	FetchSockets(ctx context.Context, opts BroadcastOptions) ([]*RemoteSocket, error)
	// AddSockets makes the sockets selected by opts join rooms.
	AddSockets(ctx context.Context, opts BroadcastOptions, rooms []string) error
	// DelSockets makes the sockets selected by opts leave rooms.
	DelSockets(ctx context.Context, opts BroadcastOptions, rooms []string) error
	// DisconnectSockets disconnects the sockets selected by opts.
	DisconnectSockets(ctx context.Context, opts BroadcastOptions, close bool) error

	// ServerSideEmit sends an event to the other servers of the cluster.
	ServerSideEmit(ctx context.Context, event string, args ...any) error
	// ServerCount returns the number of servers in the cluster.
	ServerCount(ctx context.Context) (int, error)

	// PersistSession keeps the state of a disconnected socket for connection
	// state recovery.
	PersistSession(ctx context.Context, s *SessionState) error
	// RestoreSession returns the state of session pid and the packets it
	// missed after offset, or nil when it cannot be recovered.
	RestoreSession(ctx context.Context, pid, offset string) (*SessionState, error)

	// Close releases the adapter's resources and stops its timers (called by
	// Server.Close, and when CleanupEmptyChildNamespaces removes the
	// namespace).
	Close() error
}

// BroadcastOptions selects the recipients of a broadcast.
type BroadcastOptions struct {
	Rooms  []string // empty: every socket of the namespace
	Except []string // sockets in any of these rooms are skipped
	Flags  BroadcastFlags
}

// BroadcastFlags modify how a broadcast is delivered.
type BroadcastFlags struct {
	Volatile bool          // may be dropped for clients not ready to receive
	Compress bool          // advisory; the engine decides on compression
	Local    bool          // only this server's sockets (multi-server adapters)
	Timeout  time.Duration // for broadcasts with acks
}

// SessionState is what connection state recovery keeps of a disconnected
// socket.
type SessionState struct {
	SID   string
	PID   string
	Rooms []string
	Data  *Data
	// MissedPackets is set by RestoreSession: the events emitted to the
	// session since its last offset, each with its own offset.
	MissedPackets []*sio.Packet
}
