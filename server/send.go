package server

import (
	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server/engine"
)

// appendPayload appends a packet's JSON payload to dst and returns the
// attachments its placeholders refer to (sio.AppendEvent, sio.AppendArgs...).
// An error refuses the packet: nothing is sent.
type appendPayload func(dst []byte) ([]byte, [][]byte, error)

// send encodes a packet and queues it on the session: every packet the server
// writes to one client goes through it (events, acks, CONNECT, DISCONNECT,
// CONNECT_ERROR, recovered packets). The packet is p, with the payload that
// payload appends when it is not nil (size is a guess of its length): header
// and payload are written into one buffer. A packet with attachments goes as
// a BINARY_EVENT or BINARY_ACK (the header is written again when p did not
// announce as many attachments as the payload has): its text, then one
// binary message per attachment, queued at once. A volatile packet is
// dropped when the client is not ready for it.
func (c *client) send(p sio.Packet, volatile bool, size int, payload appendPayload) error {
	return c.sendIn(nil, p, volatile, size, payload)
}

// sendIn is send that writes the packet's text into buf when it has room
// for the header and size bytes of payload (a buffer that nothing else
// writes to once the packet is queued).
func (c *client) sendIn(buf []byte, p sio.Packet, volatile bool, size int, payload appendPayload) error {
	var b []byte
	if payload == nil {
		b = p.AppendText(make([]byte, 0, p.TextLen()))
	} else {
		hdr := p.TextLen()
		if cap(buf) < hdr+size {
			buf = make([]byte, 0, hdr+size)
		}
		var att [][]byte
		var err error
		if b, att, err = payload(p.AppendText(buf[:0])); err != nil {
			return err
		}
		if len(att) != len(p.Attachments) {
			p.Data, p.Attachments = b[hdr:], att
			b = p.AppendText(make([]byte, 0, p.TextLen()))
		}
	}
	if len(p.Attachments) == 0 {
		return c.sendText(b, volatile)
	}
	frames := make([]eio.Packet, 1, 1+len(p.Attachments))
	frames[0] = eio.TextMessage(b)
	for _, a := range p.Attachments {
		frames = append(frames, eio.BinaryMessage(a))
	}
	return c.sendFrames(frames, volatile)
}

// sendText queues one text message. Through the concrete session the
// variadic argument stays on the stack: a call through the conn interface
// would allocate it on every packet.
func (c *client) sendText(b []byte, volatile bool) error {
	m := eio.TextMessage(b)
	if es, ok := c.conn.(*engine.Session); ok {
		if volatile {
			es.SendVolatile(m)
			return nil
		}
		return es.Send(m)
	}
	if volatile {
		c.conn.SendVolatile(m)
		return nil
	}
	return c.conn.Send(m)
}

// sendFrames queues encoded messages at once: a binary packet's, or a
// broadcast's, which every recipient shares.
func (c *client) sendFrames(frames []eio.Packet, volatile bool) error {
	if volatile {
		c.conn.SendVolatile(frames...)
		return nil
	}
	return c.conn.Send(frames...)
}
