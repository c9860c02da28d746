package eio

import (
	"encoding/base64"
	"strconv"

	"github.com/duplexio/duplex/internal/wrap"
)

// Type is an Engine.IO packet type.
type Type byte

// The Engine.IO v4 packet types, in wire order: the text form of a packet starts
// with '0'+Type.
const (
	Open Type = iota
	Close
	Ping
	Pong
	Message
	Upgrade
	Noop
)

var typeNames = [...]string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// String returns the reference name of the type ("open", "message", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Char returns the character that starts the text form of a packet of type t.
func (t Type) Char() byte { return '0' + byte(t) }

// Packet is one Engine.IO packet. Binary is set only for message packets whose
// data is binary; all other packets carry UTF-8 text (possibly empty).
//
// Encoders never modify Data, so one Packet may be queued on many sessions at
// once: that is how a broadcast is encoded once and written to every recipient.
type Packet struct {
	Type   Type
	Data   []byte
	Binary bool
}

// Common packets with no data.
var (
	PingPacket    = Packet{Type: Ping}
	PongPacket    = Packet{Type: Pong}
	NoopPacket    = Packet{Type: Noop}
	ClosePacket   = Packet{Type: Close}
	UpgradePacket = Packet{Type: Upgrade}
)

// Probe is the data of the ping/pong pair that tests a transport during an upgrade.
const Probe = "probe"

// TextMessage returns a message packet with text data.
func TextMessage(data []byte) Packet { return Packet{Type: Message, Data: data} }

// BinaryMessage returns a message packet with binary data.
func BinaryMessage(data []byte) Packet { return Packet{Type: Message, Data: data, Binary: true} }

// IsProbe reports whether p is a "ping probe" or "pong probe" packet.
func (p Packet) IsProbe() bool { return !p.Binary && string(p.Data) == Probe }

// AppendText appends the text form of p to dst: the type character and the data,
// or for a binary message "b" and the standard base64 of the data (the form used
// by polling payloads and by clients that cannot receive binary frames).
func (p Packet) AppendText(dst []byte) []byte {
	if p.Binary {
		dst = append(dst, 'b')
		return base64.StdEncoding.AppendEncode(dst, p.Data)
	}
	dst = append(dst, p.Type.Char())
	return append(dst, p.Data...)
}

// TextLen returns the length of the text form of p.
func (p Packet) TextLen() int {
	if p.Binary {
		return 1 + base64.StdEncoding.EncodedLen(len(p.Data))
	}
	return 1 + len(p.Data)
}

// DecodeText decodes the text form of one packet, as found in a WebSocket text
// frame or in one record of a polling payload. The returned packet's Data aliases
// b for text packets (nil when there is none); a "b"+base64 record decodes to a
// fresh binary message, its padding optional as with Node's base64 decoder. An
// empty input or an unknown type is an ErrInvalidPacket, as the reference's
// "parser error".
func DecodeText(b []byte) (Packet, error) {
	if len(b) == 0 {
		return Packet{}, wrap.With(ErrInvalidPacket, "empty")
	}
	c := b[0]
	if c == 'b' {
		data, err := decodeBase64(b[1:])
		if err != nil {
			return Packet{}, err
		}
		return Packet{Type: Message, Data: data, Binary: true}, nil
	}
	if c < '0' || c > '0'+byte(Noop) {
		return Packet{}, wrap.New(ErrInvalidPacket.Error()+": unknown type "+strconv.QuoteRune(rune(c)), ErrInvalidPacket)
	}
	p := Packet{Type: Type(c - '0')}
	if len(b) > 1 {
		p.Data = b[1:]
	}
	return p, nil
}

// decodeBase64 decodes standard base64, padded as the reference writes it or
// with missing padding, as Node's Buffer.from(s, "base64") also accepts.
func decodeBase64(s []byte) ([]byte, error) {
	for range 2 {
		if len(s) > 0 && s[len(s)-1] == '=' {
			s = s[:len(s)-1]
		}
	}
	data := make([]byte, base64.RawStdEncoding.DecodedLen(len(s)))
	n, err := base64.RawStdEncoding.Decode(data, s)
	if err != nil {
		return nil, wrap.New(ErrInvalidPacket.Error()+": bad base64: "+err.Error(), ErrInvalidPacket)
	}
	return data[:n], nil
}

// DecodeFrame decodes one WebSocket frame: a binary frame is always a binary
// message, a text frame is the text form of a packet.
func DecodeFrame(b []byte, binary bool) (Packet, error) {
	if binary {
		return Packet{Type: Message, Data: b, Binary: true}, nil
	}
	return DecodeText(b)
}
