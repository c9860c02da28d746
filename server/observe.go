package server

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Observer is told what happens on a Server, for tools that show it live (an
// admin dashboard, an audit log). Every field is optional.
//
// The calls are made synchronously from the goroutine where it happens:
// SocketConnected before the namespace's connection handlers run,
// SocketDisconnected after the disconnect handlers, EventReceived before the
// event's handlers run (as the reference's onAny listeners; e and e.Args stay
// valid after the call, the observer may keep them), RoomJoined and
// RoomLeft with the namespace adapter's lock held. So an Observer must return
// quickly, and must not call into the Server from RoomJoined or RoomLeft:
// queue what it needs and act elsewhere. Rooms named after a socket's own id
// are not reported.
type Observer struct {
	SocketConnected    func(s *Socket)
	SocketDisconnected func(s *Socket, reason string)
	EventReceived      func(s *Socket, e *Event)
	RoomJoined         func(nsp *Namespace, room, id string)
	RoomLeft           func(nsp *Namespace, room, id string)
}

// observers is the Server's list of Observers, read without lock on every
// notification (copy on write).
type observers struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*Observer]
}

// Observe adds o to the server's observers; the returned function removes it.
func (srv *Server) Observe(o *Observer) (remove func()) {
	srv.obs.mu.Lock()
	defer srv.obs.mu.Unlock()
	var cur []*Observer
	if p := srv.obs.list.Load(); p != nil {
		cur = *p
	}
	next := append(slices.Clip(cur), o)
	srv.obs.list.Store(&next)
	return func() {
		srv.obs.mu.Lock()
		defer srv.obs.mu.Unlock()
		if p := srv.obs.list.Load(); p != nil {
			next := slices.DeleteFunc(slices.Clone(*p), func(x *Observer) bool { return x == o })
			srv.obs.list.Store(&next)
		}
	}
}

// each returns the current observers (nil when there is none).
func (o *observers) each() []*Observer {
	if p := o.list.Load(); p != nil {
		return *p
	}
	return nil
}

// The hooks below are the one-line calls the server makes where things
// happen; each counts (stats.go) and notifies the observers.

// socketConnected: s joined its namespace (before the connection handlers).
func (srv *Server) socketConnected(s *Socket) {
	srv.stats.connected.Add(1)
	for _, o := range srv.obs.each() {
		if o.SocketConnected != nil {
			o.SocketConnected(s)
		}
	}
}

// socketDisconnected: s left its namespace with reason.
func (srv *Server) socketDisconnected(s *Socket, reason string) {
	srv.stats.disconnectedWith(reason)
	for _, o := range srv.obs.each() {
		if o.SocketDisconnected != nil {
			o.SocketDisconnected(s, reason)
		}
	}
}

// eventReceived: e is about to be handled by s; it returns what
// eventHandled takes. Called as
// `defer srv.eventHandled(srv.eventReceived(s, e))`.
func (srv *Server) eventReceived(s *Socket, e *Event) time.Time {
	for _, o := range srv.obs.each() {
		if o.EventReceived != nil {
			o.EventReceived(s, e)
		}
	}
	return srv.stats.received(e.Name)
}

// eventHandled: the handlers of an event ran (since start, when timed).
func (srv *Server) eventHandled(start time.Time) { srv.stats.handled(start) }

// roomJoined: socket id joined room of nsp (the adapter's lock held).
func (srv *Server) roomJoined(nsp *Namespace, room, id string) {
	if srv == nil {
		return
	}
	for _, o := range srv.obs.each() {
		if o.RoomJoined != nil {
			o.RoomJoined(nsp, room, id)
		}
	}
}

// roomLeft: socket id left room of nsp (the adapter's lock held).
func (srv *Server) roomLeft(nsp *Namespace, room, id string) {
	if srv == nil {
		return
	}
	for _, o := range srv.obs.each() {
		if o.RoomLeft != nil {
			o.RoomLeft(nsp, room, id)
		}
	}
}
