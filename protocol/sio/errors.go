package sio

import (
	"errors"
	"fmt"
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
var errMalformed = fmt.Errorf("%w: malformed JSON", ErrInvalidPacket)

func errIllegalPlaceholder(num string, n int) error {
	return fmt.Errorf("%w: illegal attachment placeholder %s of %d attachments", ErrInvalidPacket, num, n)
}
