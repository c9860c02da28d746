package sio

import (
	"errors"
	"strconv"

	"github.com/duplexio/duplex/internal/wrap"
)

var (
	// ErrInvalidPacket reports bytes that are not a Socket.IO v5 packet, or a
	// packet whose payload is not valid for its type.
	ErrInvalidPacket = errors.New("sio: invalid packet")
	// ErrTooManyAttachments reports a binary packet announcing more attachments
	// than the decoder accepts. Decoding errors that match it also match
	// ErrInvalidPacket, as do those matching ErrUnexpectedAttachment and
	// ErrReservedEvent.
	ErrTooManyAttachments = errors.New("sio: too many attachments")
	// ErrUnexpectedAttachment reports a binary message that arrived while no
	// binary packet was waiting for one, or a text message that arrived while one was.
	ErrUnexpectedAttachment = errors.New("sio: unexpected attachment")
	// ErrReservedEvent reports an event whose name is reserved by Socket.IO
	// ("connect", "disconnect", ...).
	ErrReservedEvent = errors.New("sio: reserved event name")
	// ErrUnsupportedValue reports an argument that cannot be encoded to JSON.
	ErrUnsupportedValue = errors.New("sio: unsupported value")
)

// errMalformed reports JSON whose structure the scanners cannot follow.
var errMalformed = wrap.With(ErrInvalidPacket, "malformed JSON")

// numText is the text of a decoded placeholder's num for an error message
// (as fmt.Sprint writes a number, a string, a boolean or nil).
func numText(x any) string {
	switch x := x.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "<nil>"
	default:
		return "(not a number)"
	}
}

func errIllegalPlaceholder(num string, n int) error {
	return wrap.New(ErrInvalidPacket.Error()+": illegal attachment placeholder "+num+" of "+strconv.Itoa(n)+" attachments", ErrInvalidPacket)
}
