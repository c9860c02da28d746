package eio

import "errors"

var (
	// ErrInvalidPacket reports bytes that are not an Engine.IO v4 packet.
	ErrInvalidPacket = errors.New("eio: invalid packet")
	// ErrPayloadTooLarge reports a payload over the size limit given to the decoder.
	ErrPayloadTooLarge = errors.New("eio: payload too large")
)
