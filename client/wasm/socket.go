//go:build js && wasm

package main

import (
	"errors"
	"sync"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/hack-pad/safejs"
)

// socket is the backend half of one JS socket: the handle the loader calls,
// and the sink it reports to.
type socket struct {
	b     *backend
	sink  safejs.Value
	nsp   string
	route *route // the Manager's fast path table, or nil (set on the queue before attach)

	mu     sync.Mutex
	s      *client.Socket // nil until attached (on the queue)
	acks   map[int]*client.Event
	nextID int
}

// send reports to the loader. It runs on the client's handler goroutine,
// the queue's, or (the socket's handlers do not block) in the WebSocket's
// JavaScript callback: a listener may call back into us, which works as
// the methods of the handle do not wait.
func (sk *socket) send(args ...any) {
	sk.b.batch.flush() // the events received before this first
	sk.call(args...)
}

// call invokes the sink.
func (sk *socket) call(args ...any) {
	if _, err := sk.sink.Invoke(args...); err != nil {
		sk.b.log.Warn("duplex: a listener threw", "err", err)
	}
}

// attach wires the client socket's callbacks to the sink.
func (sk *socket) attach(s *client.Socket) {
	sk.mu.Lock()
	sk.s = s
	sk.mu.Unlock()
	s.OnConnect(func() { sk.send("connect", s.ID(), s.Recovered()) })
	s.OnDisconnect(func(reason string) {
		sk.mu.Lock()
		clear(sk.acks) // acks of the old connection can no longer be sent
		sk.mu.Unlock()
		sk.send("disconnect", reason, s.Active())
	})
	s.OnConnectError(func(err error) {
		var ce *client.ConnectError // errors.As: AsType's instantiation is more code
		if errors.As(err, &ce) {
			data := string(ce.Data)
			if data == "" {
				data = "null"
			}
			sk.send("connect_error", ce.Message, data)
			return
		}
		sk.send("connect_error", err.Error(), "null")
	})
	// The handlers of one socket run one at a time: they share the event's
	// text buffer, in Go and in JavaScript.
	var text []byte
	var jsText textBuffer
	s.OnAny(func(e *client.Event) {
		id := -1
		if e.HasAck() {
			sk.mu.Lock()
			id = sk.nextID
			sk.nextID++
			sk.acks[id] = e
			sk.mu.Unlock()
		}
		if len(e.Args.Attachments()) == 0 {
			sk.b.batch.add(sk, id, e)
			return
		}
		sk.b.batch.flush()
		bufs, err := sk.b.js.jsBytes(e.Args.Attachments())
		if err != nil {
			sk.b.log.Error("duplex: passing an event to JavaScript", "event", e.Name, "err", err)
			return
		}
		text = jsEvent(text[:0], e.Name, e.Args)
		u8, err := jsText.copy(sk.b.js, text)
		if cap(text) > 64<<10 {
			text = nil // keep no large buffer between events
		}
		if err != nil {
			sk.b.log.Error("duplex: passing an event to JavaScript", "event", e.Name, "err", err)
			return
		}
		sk.call(sk.b.js.event, u8, len(text), bufs, id)
	})
	m := s.Manager()
	m.OnReconnectAttempt(func(n int) { sk.send("manager", "reconnect_attempt", n) })
	m.OnReconnect(func(n int) { sk.send("manager", "reconnect", n) })
	m.OnReconnectFailed(func() { sk.send("manager", "reconnect_failed", nil) })
	m.OnReconnectError(func(err error) { sk.send("manager", "reconnect_error", err.Error()) })
}

// client returns the attached socket: jobs run after attach on the queue,
// but it is nil when the Manager could not be made (the page got a
// connect_error).
func (sk *socket) client() *client.Socket {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	return sk.s
}

// jsObject returns the handle: emit, ack, connect, disconnect, transport.
func (sk *socket) jsObject() (safejs.Value, error) {
	obj, err := newObject()
	if err != nil {
		return safejs.Value{}, err
	}
	methods := map[string]func(args []safejs.Value) any{
		"emit": sk.jsEmit,
		"ack":  sk.jsAck,
		// transport is read synchronously: the Manager's lock is held only
		// briefly, never across I/O.
		"transport": func([]safejs.Value) any {
			if s := sk.client(); s != nil {
				return s.Manager().Transport()
			}
			return ""
		},
		"connect": func([]safejs.Value) any {
			sk.b.queue.add(func() {
				if s := sk.client(); s != nil {
					s.Connect()
				}
			})
			return nil
		},
		"disconnect": func([]safejs.Value) any {
			sk.b.queue.add(func() {
				if s := sk.client(); s != nil {
					s.Disconnect()
				}
			})
			return nil
		},
	}
	for name, fn := range methods {
		f, err := sk.b.funcOf(fn)
		if err != nil {
			return safejs.Value{}, err
		}
		if err := obj.Set(name, f); err != nil {
			return safejs.Value{}, err
		}
	}
	return obj, nil
}

// jsEmit implements handle.emit(name, argsJSON, buffers, ackCb|null, timeoutMs|-1, volatile).
func (sk *socket) jsEmit(args []safejs.Value) any {
	if len(args) < 6 {
		return throw(errors.New("duplex: emit needs 6 arguments"))
	}
	name, err := args[0].String()
	if err != nil {
		return throw(err)
	}
	vals, err := goArgsJS(args[1], args[2])
	if err != nil {
		return throw(err)
	}
	cb := args[3]
	hasAck := cb.Type() == safejs.TypeFunction
	timeout, _ := args[4].Float()
	volatile, _ := args[5].Bool()
	sk.b.queue.add(func() {
		s := sk.client()
		if s == nil {
			if hasAck && timeout >= 0 {
				sk.invoke(cb, "not connected", nil, nil)
			}
			return
		}
		var em *client.Emitter
		if timeout >= 0 {
			em = s.Timeout(time.Duration(timeout * float64(time.Millisecond)))
		}
		if volatile {
			if em == nil {
				em = s.Volatile()
			} else {
				em = em.Volatile()
			}
		}
		if hasAck {
			vals = append(vals, client.AckFunc(func(a client.Args, err error) {
				if err != nil {
					sk.invoke(cb, jsError(err), nil, nil)
					return
				}
				bufs, jerr := sk.b.js.jsBytes(a.Attachments())
				if jerr != nil {
					sk.invoke(cb, jerr.Error(), nil, nil)
					return
				}
				text := jsArgs(a)
				sk.invoke(cb, nil, text, bufs)
			}))
		}
		var e error
		if em != nil {
			e = em.Emit(name, vals...)
		} else {
			e = s.Emit(name, vals...)
		}
		if e != nil {
			sk.b.log.Warn("duplex: emit", "event", name, "err", e)
			if hasAck && timeout >= 0 {
				sk.invoke(cb, e.Error(), nil, nil)
			}
		}
	})
	return nil
}

// jsError is the message socket.io-client gives for an ack error.
func jsError(err error) string {
	switch {
	case errors.Is(err, client.ErrTimeout):
		return "operation has timed out"
	case errors.Is(err, client.ErrDisconnected):
		return "socket has been disconnected"
	}
	return err.Error()
}

func (sk *socket) invoke(fn safejs.Value, args ...any) {
	sk.b.batch.flush() // the events received before this first
	if _, err := fn.Invoke(args...); err != nil {
		sk.b.log.Warn("duplex: an ack callback threw", "err", err)
	}
}

// jsAck implements handle.ack(ackID, argsJSON, buffers).
func (sk *socket) jsAck(args []safejs.Value) any {
	if len(args) < 3 {
		return throw(errors.New("duplex: ack needs 3 arguments"))
	}
	id, err := args[0].Int()
	if err != nil {
		return throw(err)
	}
	vals, err := goArgsJS(args[1], args[2])
	if err != nil {
		return throw(err)
	}
	if id <= -2 {
		// An event the loader dispatched itself (route.go): -2 - its ack
		// id on the wire. The loader calls this at most once, and not
		// after the socket's disconnection.
		sid := uint64(-2 - id)
		sk.b.queue.add(func() {
			if r := sk.route; r != nil && r.ack != nil {
				if err := r.ack(sk.nsp, sid, vals...); err != nil {
					sk.b.log.Warn("duplex: ack", "err", err)
				}
			}
		})
		return nil
	}
	sk.mu.Lock()
	e := sk.acks[id]
	delete(sk.acks, id)
	sk.mu.Unlock()
	if e == nil {
		return nil // a second call, or an ack after a disconnection: dropped
	}
	sk.b.queue.add(func() {
		if err := e.Ack(vals...); err != nil {
			sk.b.log.Warn("duplex: ack", "event", e.Name, "err", err)
		}
	})
	return nil
}
