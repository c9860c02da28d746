package sio

import (
	"encoding/json"
	"fmt"

	"github.com/duplexio/duplex/protocol/eio"
)

// Decoder turns the Engine.IO messages of one connection into Socket.IO
// packets, collecting the attachments of binary packets. It keeps state between
// calls and is not safe for concurrent use. The zero value is ready, with the
// reference's limit of 10 attachments per packet.
type Decoder struct {
	// MaxAttachments bounds the attachments one packet may announce; 0 means
	// DefaultMaxAttachments.
	MaxAttachments int

	pending Packet
	got     int
}

// Pending reports whether a binary packet is waiting for attachments.
func (d *Decoder) Pending() bool { return d.pending.Attachments != nil }

// Reset drops a partly received binary packet.
func (d *Decoder) Reset() { d.pending, d.got = Packet{}, 0 }

// Decode feeds one Engine.IO message to the decoder. It returns ok when a whole
// packet is ready. The packet keeps references to m.Data: the caller must not
// reuse that memory while the packet is in use. After an error the decoder is
// reset; the reference closes the connection then.
func (d *Decoder) Decode(m eio.Packet) (p Packet, ok bool, err error) {
	if m.Binary {
		if !d.Pending() {
			return Packet{}, false, fmt.Errorf("%w: binary message with no binary packet pending", ErrUnexpectedAttachment)
		}
		d.pending.Attachments[d.got] = m.Data
		d.got++
		if d.got < len(d.pending.Attachments) {
			return Packet{}, false, nil
		}
		p = d.pending
		d.Reset()
		if err := checkPlaceholders(p.Data, len(p.Attachments)); err != nil {
			return Packet{}, false, err
		}
		return p, true, nil
	}
	if d.Pending() {
		d.Reset()
		return Packet{}, false, fmt.Errorf("%w: text message while waiting for attachments", ErrUnexpectedAttachment)
	}
	p, err = DecodeText(m.Data, d.MaxAttachments)
	if err != nil {
		return Packet{}, false, err
	}
	if p.Type.IsBinary() {
		d.pending, d.got = p, 0
		return Packet{}, false, nil
	}
	return p, true, nil
}

// checkPlaceholders verifies that every placeholder in data refers to one of n
// attachments, as the reference does when it reconstructs a packet.
func checkPlaceholders(data json.RawMessage, n int) error {
	var x any
	if err := json.Unmarshal(data, &x); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidPacket, err)
	}
	var walk func(any) error
	walk = func(x any) error {
		switch v := x.(type) {
		case map[string]any:
			if isPlaceholder(v) {
				num := v["num"].(float64)
				if num < 0 || num >= float64(n) || num != float64(int(num)) {
					return fmt.Errorf("%w: illegal attachment placeholder %v of %d", ErrInvalidPacket, num, n)
				}
				return nil
			}
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(x)
}
