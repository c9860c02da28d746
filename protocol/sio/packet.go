package sio

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/duplexio/duplex/internal/jsonread"
	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
)

// Type is a Socket.IO packet type.
type Type byte

// The Socket.IO v5 packet types.
const (
	Connect Type = iota
	Disconnect
	Event
	Ack
	ConnectError
	BinaryEvent
	BinaryAck
)

var typeNames = [...]string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}

// String returns the protocol's name of the type ("EVENT", "BINARY_ACK", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// IsBinary reports whether packets of type t carry attachments.
func (t Type) IsBinary() bool { return t == BinaryEvent || t == BinaryAck }

// DefaultNamespace is the main namespace every client may connect to.
const DefaultNamespace = "/"

// DefaultMaxAttachments is the reference decoder's limit on attachments per packet.
const DefaultMaxAttachments = 10

// MaxAttachmentsLimit caps any attachment limit given to a decoder, so that no
// setting can make an announced count allocate without bound.
const MaxAttachmentsLimit = 1 << 20

// Packet is one Socket.IO packet.
//
// Data is the JSON payload exactly as it travels, with attachment placeholders
// {"_placeholder":true,"num":N} where binary values were; Attachments holds their
// bytes in order. Namespace "" means "/".
type Packet struct {
	Type        Type
	Namespace   string
	ID          uint64
	HasID       bool
	Data        json.RawMessage
	Attachments [][]byte
}

// WithID returns p with ack id id.
func (p Packet) WithID(id uint64) Packet {
	p.ID, p.HasID = id, true
	return p
}

// NS returns the packet's namespace, "/" when empty.
func (p *Packet) NS() string {
	if p.Namespace == "" {
		return DefaultNamespace
	}
	return p.Namespace
}

// wireType is the type p travels as: like the reference's encoder, an EVENT or
// ACK with attachments goes as BINARY_EVENT or BINARY_ACK, and the other way
// round without any.
func (p *Packet) wireType() Type {
	switch {
	case p.Type == Event && len(p.Attachments) > 0:
		return BinaryEvent
	case p.Type == Ack && len(p.Attachments) > 0:
		return BinaryAck
	case p.Type == BinaryEvent && len(p.Attachments) == 0:
		return Event
	case p.Type == BinaryAck && len(p.Attachments) == 0:
		return Ack
	}
	return p.Type
}

// AppendText appends the text part of p (what follows the Engine.IO message
// type character) to dst. The type is the one p travels as: BINARY_EVENT or
// BINARY_ACK exactly when p has attachments.
func (p *Packet) AppendText(dst []byte) []byte {
	typ := p.wireType()
	dst = append(dst, '0'+byte(typ))
	if typ.IsBinary() {
		dst = strconv.AppendInt(dst, int64(len(p.Attachments)), 10)
		dst = append(dst, '-')
	}
	if nsp := p.Namespace; nsp != "" && nsp != DefaultNamespace {
		dst = append(dst, nsp...)
		dst = append(dst, ',')
	}
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return append(dst, p.Data...)
}

// TextLen returns the length of the text part of p.
func (p *Packet) TextLen() int {
	n := 1 + len(p.Data)
	if p.wireType().IsBinary() {
		n += digits(uint64(len(p.Attachments))) + 1
	}
	if nsp := p.Namespace; nsp != "" && nsp != DefaultNamespace {
		n += len(nsp) + 1
	}
	if p.HasID {
		n += digits(p.ID)
	}
	return n
}

func digits(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// Encode returns the Engine.IO packets that carry p: one text message, then one
// binary message per attachment. The result shares nothing mutable with later
// calls and may be written to any number of sessions.
func (p *Packet) Encode() []eio.Packet {
	out := make([]eio.Packet, 1, 1+len(p.Attachments))
	out[0] = eio.TextMessage(p.AppendText(make([]byte, 0, p.TextLen())))
	for _, a := range p.Attachments {
		out = append(out, eio.BinaryMessage(a))
	}
	return out
}

// String returns the text part of p, for logs and tests.
func (p *Packet) String() string { return string(p.AppendText(nil)) }

// maxIDDigits bounds the length of an ack id; the reference's ids are
// JavaScript numbers, exact up to 2^53 (16 digits).
const maxIDDigits = 16

// DecodeText decodes the text part of a packet (the data of an Engine.IO
// message) and checks its payload as the reference does. For binary types the
// returned packet's Attachments has the announced length, with nil entries for
// a Decoder to fill. maxAttachments bounds that count (0 means
// DefaultMaxAttachments, and it is capped at MaxAttachmentsLimit); no more than
// that is ever allocated. Data aliases b.
//
// The grammar is <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]: a
// namespace starts with '/' and runs to the first ',' (the comma may be omitted
// at the very end), so a payload directly after a namespace without the comma
// is read as part of the namespace, exactly as the reference reads it.
func DecodeText(b []byte, maxAttachments int) (Packet, error) {
	return decodeText(b, maxAttachments, "")
}

// decodeText is DecodeText; a namespace equal to known is returned as known
// (a Decoder passes the last one it saw: no string allocated per packet).
func decodeText(b []byte, maxAttachments int, known string) (Packet, error) {
	p, err := decodeHeader(b, maxAttachments, known)
	if err != nil {
		return Packet{}, err
	}
	if err := validPayload(&p); err != nil {
		return Packet{}, err
	}
	return p, nil
}

// decodeHeader is decodeText without the check of the payload (p.Data).
func decodeHeader(b []byte, maxAttachments int, known string) (Packet, error) {
	var p Packet
	if len(b) == 0 {
		return p, wrap.With(ErrInvalidPacket, "empty")
	}
	if b[0] < '0' || b[0] > '0'+byte(BinaryAck) {
		return p, errUnknownType(b[0])
	}
	p.Type = Type(b[0] - '0')
	i := 1
	if p.Type.IsBinary() {
		if maxAttachments <= 0 {
			maxAttachments = DefaultMaxAttachments
		}
		maxAttachments = min(maxAttachments, MaxAttachmentsLimit)
		start, n := i, 0
		for i < len(b) && isDigit(b[i]) {
			if n <= maxAttachments {
				n = n*10 + int(b[i]-'0')
			}
			i++
		}
		if i == start || i >= len(b) || b[i] != '-' || n < 1 {
			return p, wrap.With(ErrInvalidPacket, "illegal attachments")
		}
		if n > maxAttachments {
			return p, errTooManyAttachments(b[start:i], maxAttachments)
		}
		p.Attachments = make([][]byte, n)
		i++
	}
	p.Namespace = DefaultNamespace
	if i < len(b) && b[i] == '/' {
		start := i
		for i < len(b) && b[i] != ',' {
			i++
		}
		if nsp := b[start:i]; string(nsp) == known {
			p.Namespace = known
		} else {
			p.Namespace = string(nsp)
		}
		if i < len(b) {
			i++ // the comma
		}
	}
	if i < len(b) && isDigit(b[i]) {
		start := i
		var id uint64
		for ; i < len(b) && isDigit(b[i]); i++ {
			if i-start < maxIDDigits { // no overflow
				id = id*10 + uint64(b[i]-'0')
			}
		}
		if i-start > maxIDDigits {
			return p, wrap.With(ErrInvalidPacket, "ack id too long")
		}
		p.ID, p.HasID = id, true
	}
	if i < len(b) {
		if jsonread.IsSpace(b[i]) {
			// The reference reads leading white space as digits of an ack id
			// (Number(" ") is 0); refuse rather than read it differently.
			return Packet{}, wrap.With(ErrInvalidPacket, "white space before the payload")
		}
		p.Data = json.RawMessage(b[i:len(b):len(b)])
	}
	return p, nil
}

// errUnknownType and errTooManyAttachments are decodeHeader's errors that
// are put together, out of line: their temporaries would enlarge the frame
// of every decode (on a server, the stack of every busy connection).
//
//go:noinline
func errUnknownType(c byte) error {
	return wrap.New(ErrInvalidPacket.Error()+": unknown type "+strconv.QuoteRune(rune(c)), ErrInvalidPacket)
}

//go:noinline
func errTooManyAttachments(announced []byte, limit int) error {
	return wrap.New(ErrInvalidPacket.Error()+": "+ErrTooManyAttachments.Error()+": "+string(announced)+" announced, limit "+strconv.Itoa(limit), ErrInvalidPacket, ErrTooManyAttachments)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// reservedEvents are the names a client may not emit: the reference rejects
// packets that use them.
var reservedEvents = [...]string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// IsReserved reports whether name is reserved by Socket.IO and cannot be emitted.
func IsReserved(name string) bool {
	for _, r := range reservedEvents {
		if name == r {
			return true
		}
	}
	return false
}

// isReservedJSON reports whether the JSON string s is a reserved name.
func isReservedJSON(s []byte) bool {
	if len(s) < 2 {
		return false
	}
	if bytes.IndexByte(s, '\\') < 0 {
		switch string(s[1 : len(s)-1]) { // no allocation
		case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
			return true
		}
		return false
	}
	name, ok := unquote(s)
	return ok && IsReserved(name)
}

// validPayload applies the reference's isPayloadValid to p.Data.
func validPayload(p *Packet) error {
	d := p.Data
	switch p.Type {
	case Connect:
		if d == nil {
			return nil
		}
		if firstByte(d) != '{' || !validJSON(d) {
			return wrap.With(ErrInvalidPacket, "CONNECT payload must be an object")
		}
	case Disconnect:
		if d != nil {
			return wrap.With(ErrInvalidPacket, "DISCONNECT has no payload")
		}
	case ConnectError:
		if c := firstByte(d); (c != '{' && c != '"') || !validJSON(d) {
			return wrap.With(ErrInvalidPacket, "CONNECT_ERROR payload must be an object or a string")
		}
	case Event, BinaryEvent:
		if firstByte(d) != '[' || !validJSON(d) {
			return wrap.With(ErrInvalidPacket, "EVENT payload must be an array")
		}
		first, ok := firstElem(d)
		if !ok {
			return wrap.With(ErrInvalidPacket, "EVENT without a name")
		}
		return checkName(first)
	case Ack, BinaryAck:
		if firstByte(d) != '[' || !validJSON(d) {
			return wrap.With(ErrInvalidPacket, "ACK payload must be an array")
		}
	}
	return nil
}

// checkName checks an event's name value (raw JSON, valid): a string that is
// not reserved, or a number.
func checkName(first json.RawMessage) error {
	switch c := first[0]; {
	case c == '"':
		if isReservedJSON(first) {
			return wrap.New(ErrInvalidPacket.Error()+": "+ErrReservedEvent.Error()+": "+string(first), ErrInvalidPacket, ErrReservedEvent)
		}
	case c == '-' || isDigit(c):
	default:
		return wrap.With(ErrInvalidPacket, "event name must be a string or a number")
	}
	return nil
}

func firstByte(d []byte) byte {
	for _, c := range d {
		if !jsonread.IsSpace(c) {
			return c
		}
	}
	return 0
}
