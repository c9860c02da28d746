package sio

import (
	"encoding/json"

	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
)

// Decoder turns the Engine.IO messages of one connection into Socket.IO
// packets, collecting the attachments of binary packets. It keeps state between
// calls and is not safe for concurrent use. The zero value is ready, with the
// reference's limit of 10 attachments per packet.
type Decoder struct {
	// MaxAttachments bounds the attachments one packet may announce; 0 means
	// DefaultMaxAttachments. It is capped at MaxAttachmentsLimit.
	MaxAttachments int

	// pending is the binary packet waiting for attachments: allocated on
	// the first one, so that a decoder that never sees any stays small.
	pending *pendingPacket
	nsp     string // the last namespace decoded, reused while it repeats
}

// pendingPacket is a binary packet and how many of its attachments arrived.
type pendingPacket struct {
	Packet
	got int
}

// Pending reports whether a binary packet is waiting for attachments.
func (d *Decoder) Pending() bool { return d.pending != nil && d.pending.Attachments != nil }

// Reset drops a partly received binary packet.
func (d *Decoder) Reset() {
	if d.pending != nil {
		*d.pending = pendingPacket{}
	}
}

// Decode feeds one Engine.IO message to the decoder. It returns ok when a whole
// packet is ready. The packet keeps references to m.Data: the caller must not
// reuse that memory while the packet is in use. After an error the decoder is
// reset; the reference closes the connection then. Every error matches
// ErrInvalidPacket, and also ErrTooManyAttachments, ErrUnexpectedAttachment or
// ErrReservedEvent when one of those is the reason.
func (d *Decoder) Decode(m eio.Packet) (p Packet, ok bool, err error) {
	if m.Type != eio.Message {
		return Packet{}, false, wrap.New(ErrInvalidPacket.Error()+": Engine.IO "+m.Type.String()+" packet is not a message", ErrInvalidPacket)
	}
	if m.Binary {
		if !d.Pending() {
			return Packet{}, false, wrap.New(ErrInvalidPacket.Error()+": "+ErrUnexpectedAttachment.Error()+": binary message with no binary packet pending", ErrInvalidPacket, ErrUnexpectedAttachment)
		}
		a := m.Data
		if a == nil {
			a = []byte{}
		}
		pp := d.pending
		pp.Attachments[pp.got] = a
		pp.got++
		if pp.got < len(pp.Attachments) {
			return Packet{}, false, nil
		}
		p = pp.Packet
		d.Reset()
		if err := checkPlaceholders(p.Data, len(p.Attachments)); err != nil {
			return Packet{}, false, err
		}
		return p, true, nil
	}
	if d.Pending() {
		d.Reset()
		return Packet{}, false, wrap.New(ErrInvalidPacket.Error()+": "+ErrUnexpectedAttachment.Error()+": text message while waiting for attachments", ErrInvalidPacket, ErrUnexpectedAttachment)
	}
	p, err = decodeText(m.Data, d.MaxAttachments, d.nsp)
	if err != nil {
		return Packet{}, false, err
	}
	return d.decoded(p)
}

// decoded records p, a checked text packet: a binary one waits for its
// attachments.
func (d *Decoder) decoded(p Packet) (Packet, bool, error) {
	d.nsp = p.Namespace
	if p.Type.IsBinary() {
		if d.pending == nil {
			d.pending = new(pendingPacket)
		}
		*d.pending = pendingPacket{Packet: p}
		return Packet{}, false, nil
	}
	return p, true, nil
}

// DecodeSplit is Decode followed by SplitEvent when the packet is an EVENT
// (a text one, with no attachments), for a server's hot path: its payload is
// checked and split in one pass. elems are the payload's values, the name
// first, appended to buf[:0] (no allocation when they fit in its capacity),
// as SplitEvent returns them (name = elems[0], the arguments elems[1:]);
// elems is nil for every other packet, which the caller handles as from
// Decode. Packets and errors are those of Decode.
func (d *Decoder) DecodeSplit(m eio.Packet, buf []json.RawMessage) (p Packet, elems []json.RawMessage, ok bool, err error) {
	if m.Type != eio.Message || m.Binary || d.Pending() {
		p, ok, err = d.decodeUnsplit(m)
		return p, nil, ok, err
	}
	if p, err = decodeHeader(m.Data, d.MaxAttachments, d.nsp); err != nil {
		return Packet{}, nil, false, err
	}
	if p.Type == Event {
		if elems, ok = validSplit(buf[:0], p.Data); ok && len(elems) > 0 && checkName(elems[0]) == nil {
			d.nsp = p.Namespace
			return p, elems, true, nil
		}
	}
	p, ok, err = d.finishUnsplit(p)
	return p, nil, ok, err
}

// decodeUnsplit and finishUnsplit are DecodeSplit's paths for what it does
// not split, out of line: their frames are not part of every split event's
// (on a server, the stack of every busy connection).
//
//go:noinline
func (d *Decoder) decodeUnsplit(m eio.Packet) (Packet, bool, error) { return d.Decode(m) }

//go:noinline
func (d *Decoder) finishUnsplit(p Packet) (Packet, bool, error) {
	if err := validPayload(&p); err != nil {
		return Packet{}, false, err
	}
	return d.decoded(p)
}
