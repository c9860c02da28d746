package admin

import (
	"encoding/json"
	"time"

	"github.com/duplexio/duplex/server"
)

// observer returns the server.Observer of development mode: every
// notification becomes a live event queued for the admins (the observer
// itself never calls the server).
func (a *Admin) observer() *server.Observer {
	return &server.Observer{
		SocketConnected: func(s *server.Socket) {
			tagConnection(s, "")
			now, transport := time.Now(), ""
			if es := s.Conn(); es != nil {
				transport = es.Transport()
			}
			a.enqueue(func() { a.socketConnected(s, now, transport) })
		},
		SocketDisconnected: func(s *server.Socket, reason string) {
			nsp, id, now := s.Namespace().Name(), s.ID(), time.Now()
			a.enqueue(func() {
				a.mu.Lock()
				delete(a.polling, s)
				a.mu.Unlock()
				a.emit("socket_disconnected", nsp, id, reason, date(now))
			})
		},
		EventReceived: func(s *server.Socket, e *server.Event) {
			if s.Namespace() == a.nsp {
				return
			}
			name, _ := json.Marshal(e.Name)
			args := append([]json.RawMessage{name}, e.Args.All()...)
			nsp, id, now := s.Namespace().Name(), s.ID(), time.Now()
			a.enqueue(func() { a.emit("event_received", nsp, id, args, date(now)) })
		},
		RoomJoined: func(nsp *server.Namespace, room, id string) {
			now := time.Now()
			a.enqueue(func() { a.emit("room_joined", nsp.Name(), room, id, date(now)) })
		},
		RoomLeft: func(nsp *server.Namespace, room, id string) {
			now := time.Now()
			a.enqueue(func() { a.emit("room_left", nsp.Name(), room, id, date(now)) })
		},
	}
}

// socketConnected reports s as it was when it connected (on transport) and
// watches it: events it emits, its upgrade (reported by checkUpgrades even
// when it happened before this ran).
func (a *Admin) socketConnected(s *server.Socket, at time.Time, transport string) {
	if !s.Connected() {
		return // gone meanwhile: its socket_disconnected follows
	}
	ss := serialize(s)
	if transport != "" {
		ss.Transport = transport
	}
	a.emit("socket_connected", ss, date(at))
	if ss.Transport == "polling" {
		a.mu.Lock()
		a.polling[s] = struct{}{}
		a.mu.Unlock()
	}
	if s.Namespace() != a.nsp {
		nsp, id := ss.Nsp, ss.ID
		s.OnAnyOutgoing(func(event string, args []any) {
			all := append([]any{event}, args...)
			now := time.Now()
			a.enqueue(func() { a.emit("event_sent", nsp, id, all, date(now)) })
		})
	}
}

// checkUpgrades reports the sockets upgraded to websocket since the last
// check (socket_updated).
func (a *Admin) checkUpgrades() {
	a.mu.Lock()
	var up []*server.Socket
	for s := range a.polling {
		if !s.Connected() {
			delete(a.polling, s)
		} else if es := s.Conn(); es != nil && es.Transport() == "websocket" {
			up = append(up, s)
			delete(a.polling, s)
		}
	}
	a.mu.Unlock()
	for _, s := range up {
		tagConnection(s, "websocket")
		a.emit("socket_updated", map[string]string{"id": s.ID(), "nsp": s.Namespace().Name(), "transport": "websocket"})
	}
}

// emit sends a live event to the admins.
func (a *Admin) emit(event string, args ...any) {
	if err := a.nsp.Emit(event, args...); err != nil {
		a.log.Warn("admin: live event", "event", event, "error", err)
	}
}
