package cluster

import "slices"

// RoomWatcher is an optional interface of a Transport that follows the rooms
// this server holds (the sharded Redis adapter's dynamic subscriptions):
// RoomCreated is called when a room gets its first socket of this server,
// RoomDeleted when its last one leaves, in that order for each room. A
// socket's own room (its id) is not reported. Both must return quickly.
type RoomWatcher interface {
	RoomCreated(room string)
	RoomDeleted(room string)
}

// AddAll implements server.Adapter (reporting new rooms to a RoomWatcher).
func (a *Adapter) AddAll(id string, rooms []string) {
	w, ok := a.t.(RoomWatcher)
	if !ok {
		a.MemoryAdapter.AddAll(id, rooms)
		return
	}
	a.roomMu.Lock()
	defer a.roomMu.Unlock()
	var created []string
	for _, r := range rooms {
		if r != id && !a.MemoryAdapter.HasRoom(r) && !slices.Contains(created, r) {
			created = append(created, r)
		}
	}
	a.MemoryAdapter.AddAll(id, rooms)
	for _, r := range created {
		if a.MemoryAdapter.HasRoom(r) {
			w.RoomCreated(r)
		}
	}
}

// Del implements server.Adapter (reporting a room left empty to a
// RoomWatcher).
func (a *Adapter) Del(id, room string) {
	w, ok := a.t.(RoomWatcher)
	if !ok {
		a.MemoryAdapter.Del(id, room)
		return
	}
	a.roomMu.Lock()
	defer a.roomMu.Unlock()
	had := room != id && a.MemoryAdapter.HasRoom(room)
	a.MemoryAdapter.Del(id, room)
	if had && !a.MemoryAdapter.HasRoom(room) {
		w.RoomDeleted(room)
	}
}

// DelAll implements server.Adapter (reporting the rooms left empty to a
// RoomWatcher).
func (a *Adapter) DelAll(id string) {
	w, ok := a.t.(RoomWatcher)
	if !ok {
		a.MemoryAdapter.DelAll(id)
		return
	}
	a.roomMu.Lock()
	defer a.roomMu.Unlock()
	rooms := a.MemoryAdapter.SocketRooms(id)
	a.MemoryAdapter.DelAll(id)
	for _, r := range rooms {
		if r != id && !a.MemoryAdapter.HasRoom(r) {
			w.RoomDeleted(r)
		}
	}
}
