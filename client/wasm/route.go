//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"
)

// route is one Manager's table for the loader's fast path (passed as
// engine.Options.Loader; client/fastpath.go says when the Manager lists a
// namespace): the loader parses the plain events of a listed namespace
// that arrive on the Manager's WebSocket and dispatches them to the socket
// itself (io.duplex.route in socket.io.js), without a call into Go, once
// Sync has said that nothing handed to Go before them is still on its way.
// Its functions are set by BindManager, from NewManager, before the
// Manager runs anything that calls them.
type route struct {
	b    *backend
	js   safejs.Value // the loader's table: set(nsp, on)
	idle func() bool
	ack  func(nsp string, id uint64, args ...any) error
}

// JSValue implements the engine's loader hook: the table.
func (r *route) JSValue() safejs.Value { return r.js }

// Sync implements the engine's loader hook: when the Manager is idle, the
// run of events waiting for a microtask is handed over now, and the loader
// may dispatch the next event itself.
func (r *route) Sync() bool {
	if r.idle == nil || !r.idle() {
		return false
	}
	r.b.batch.flush()
	return true
}

// Idle implements the engine's loader hook: the queue has run every call
// of the loader (an emit may be among them).
func (r *route) Idle() bool { return r.b.queue.idle() }

// BindManager implements client's fastPath.
func (r *route) BindManager(idle func() bool, ack func(nsp string, id uint64, args ...any) error) {
	r.idle, r.ack = idle, ack
}

// SetNamespace implements client's fastPath: the loader lists nsp (with
// the sink of its socket: see socket.attach) or unlists it.
func (r *route) SetNamespace(nsp string, on bool) { _, _ = r.js.Call("set", nsp, on) }
