package server

import (
	"bytes"
	"encoding/json"
)

// RemoteSocket is a socket returned by FetchSockets: a snapshot of its state,
// with methods that act on it wherever it is connected.
type RemoteSocket struct {
	ID        string
	Namespace string
	Handshake *Handshake
	Rooms     []string
	Data      map[string]any

	nsp   *Namespace
	local *Socket // nil when the socket is on another server
}

func (s *Socket) remote() *RemoteSocket {
	return &RemoteSocket{
		ID: s.id, Namespace: s.nsp.name, Handshake: s.Handshake(), Rooms: s.Rooms(), Data: s.Data().Snapshot(),
		nsp: s.nsp, local: s,
	}
}

// NewRemoteSocket returns a RemoteSocket for a socket of nsp connected to
// another server (for Adapter implementations).
func NewRemoteSocket(nsp *Namespace, id string, hs *Handshake, rooms []string, data map[string]any) *RemoteSocket {
	return &RemoteSocket{ID: id, Namespace: nsp.name, Handshake: hs, Rooms: rooms, Data: data, nsp: nsp}
}

// Local returns the socket when it is connected to this server.
func (r *RemoteSocket) Local() (*Socket, bool) { return r.local, r.local != nil }

// Emit emits event to the socket.
func (r *RemoteSocket) Emit(event string, args ...any) error {
	if r.local != nil {
		return r.local.Emit(event, args...)
	}
	return r.nsp.To(r.ID).Emit(event, args...)
}

// Join makes the socket join rooms.
func (r *RemoteSocket) Join(rooms ...string) {
	if r.local != nil {
		r.local.Join(rooms...)
		return
	}
	_ = r.nsp.In(r.ID).SocketsJoin(rooms...)
}

// Leave makes the socket leave room.
func (r *RemoteSocket) Leave(room string) {
	if r.local != nil {
		r.local.Leave(room)
		return
	}
	_ = r.nsp.In(r.ID).SocketsLeave(room)
}

// Disconnect disconnects the socket (see Socket.Disconnect).
func (r *RemoteSocket) Disconnect(close bool) {
	if r.local != nil {
		r.local.Disconnect(close)
		return
	}
	_ = r.nsp.In(r.ID).DisconnectSockets(close)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}
