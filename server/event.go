package server

import (
	"encoding/json"
	"log/slog"
	"sync/atomic"

	"github.com/duplexio/duplex/protocol/sio"
)

// Args is the argument list of a received event or ack: raw JSON until
// decoded (see sio.Args).
type Args = sio.Args

// Event is one event received from a client.
type Event struct {
	Name string
	Args Args

	socket *Socket
	ack    *ackRoom // nil when the client asked for no ack
	acked  atomic.Bool
	// buf holds the split payload (name and arguments) of a usual event, so
	// that the Event and its Args are one allocation.
	buf [eventBufLen]json.RawMessage
}

// ackRoom is the ack id of an Event that asked for an ack and room for the
// ack's text, allocated with the Event (ackedEvent): a short ack needs no
// buffer of its own. The text is written once at most (Event.acked), and
// the session's queue may keep it until written: the Event stays alive as
// long.
type ackRoom struct {
	id   uint64
	text [ackTextLen]byte
}

// ackTextLen is the room for an ack's text: an ackedEvent fills the
// 240-byte size class.
const ackTextLen = 72

// ackedEvent is an Event that asked for an ack and its ackRoom, one
// allocation.
type ackedEvent struct {
	Event
	room ackRoom
}

// newEvent returns the Event of packet p received by s (its payload not set).
func newEvent(s *Socket, p *sio.Packet) *Event {
	if !p.HasID {
		return &Event{socket: s}
	}
	ae := &ackedEvent{Event: Event{socket: s}, room: ackRoom{id: p.ID}}
	ae.ack = &ae.room
	return &ae.Event
}

// eventBufLen is how many payload values (the name included) an Event holds
// without another allocation.
const eventBufLen = 3

// EventHandler handles a received event. Handlers run on the connection's read
// loop, in order: a handler that blocks stalls its connection.
type EventHandler func(e *Event)

// Socket returns the socket the event came from.
func (e *Event) Socket() *Socket { return e.socket }

// Decode decodes the arguments positionally into the pointers v (fewer
// pointers than arguments is fine).
func (e *Event) Decode(v ...any) error {
	for i, p := range v {
		if i >= e.Args.Len() {
			break
		}
		if err := e.Args.Decode(i, p); err != nil {
			return err
		}
	}
	return nil
}

// HasAck reports whether the client asked for an acknowledgement.
func (e *Event) HasAck() bool { return e.ack != nil }

// Ack answers the event with args, at most once: it returns ErrNoAck if the
// client asked for none and ErrAlreadyAcked on a second call.
func (e *Event) Ack(args ...any) error {
	return e.answer(nil, 32, func(b []byte) ([]byte, [][]byte, error) {
		b, att, err := sio.AppendArgs(b, args...)
		if err != nil {
			e.acked.Store(false) // not sent: the handler may answer again
		}
		return b, att, err
	})
}

// AckArgs answers the event with args as they are (raw JSON values and the
// attachments their placeholders refer to), at most once, as Ack does: a
// relay or an echo passes received Args on without decoding or re-encoding
// them (an empty raw value is sent as null, as Ack sends a json.RawMessage).
func (e *Event) AckArgs(args Args) error {
	raw := args.All()
	n := 2 + len(raw)
	for _, r := range raw {
		n += max(len(r), len("null"))
	}
	if len(args.Attachments()) == 0 {
		// The usual ack: its text is put together here rather than by
		// answer's payload function, a few frames less under the handler.
		b, err := e.ackHeader(n)
		if err != nil {
			return err
		}
		return e.socket.client.sendText(appendArray(b, raw), false)
	}
	return e.ackArgsBinary(args, raw, n)
}

// ackArgsBinary is AckArgs for arguments with attachments (out of line: its
// frame is not under the usual ack).
//
//go:noinline
func (e *Event) ackArgsBinary(args Args, raw []json.RawMessage, size int) error {
	return e.answer(args.Attachments(), size, func(b []byte) ([]byte, [][]byte, error) {
		return appendArray(b, raw), args.Attachments(), nil
	})
}

// appendArray appends the JSON array of raw (an empty value as null).
func appendArray(b []byte, raw []json.RawMessage) []byte {
	b = append(b, '[')
	for i, r := range raw {
		if i > 0 {
			b = append(b, ',')
		}
		if len(r) == 0 {
			r = json.RawMessage("null")
		}
		b = append(b, r...)
	}
	return append(b, ']')
}

// ackHeader takes e's ack, as answer does, and returns the ack's header in a
// buffer with room for size more bytes (the Event's own when it fits).
//
//go:noinline
func (e *Event) ackHeader(size int) ([]byte, error) {
	if err := e.takeAck(); err != nil {
		return nil, err
	}
	p := sio.Packet{Type: sio.Ack, Namespace: e.socket.nsp.name, ID: e.ack.id, HasID: true}
	buf := e.ack.text[:0]
	if hdr := p.TextLen(); cap(buf) < hdr+size {
		buf = make([]byte, 0, hdr+size)
	}
	return p.AppendText(buf), nil
}

// takeAck claims e's ack for the one answer it may have: ErrNoAck when the
// client asked for none, ErrAlreadyAcked when it was claimed before.
func (e *Event) takeAck() error {
	if e.ack == nil {
		return ErrNoAck
	}
	if !e.acked.CompareAndSwap(false, true) {
		return ErrAlreadyAcked
	}
	return nil
}

// answer sends e's ack, whose payload appends (with att, the attachments it
// will have, announced in the header), unless the client asked for none or
// it was sent already.
func (e *Event) answer(att [][]byte, size int, payload appendPayload) error {
	if err := e.takeAck(); err != nil {
		return err
	}
	p := sio.Packet{Type: sio.Ack, Namespace: e.socket.nsp.name, ID: e.ack.id, HasID: true, Attachments: att}
	return e.socket.client.sendIn(e.ack.text[:0], p, false, size, payload)
}

// On registers a typed handler for event: the first argument is decoded into a
// T before h is called (the Event still gives access to the ack, the other
// arguments and the socket). When the first argument does not decode, the
// error is logged and h is not called.
func On[T any](s *Socket, event string, h func(e *Event, v T)) {
	s.On(event, func(e *Event) {
		var v T
		if e.Args.Len() > 0 {
			if err := e.Args.Decode(0, &v); err != nil {
				s.nsp.srv.log.Warn("socket.io: cannot decode event argument", "event", e.Name, "nsp", s.nsp.name, "socket", s.id, slog.Any("error", err))
				return
			}
		}
		h(e, v)
	})
}
