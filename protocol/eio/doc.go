// Package eio encodes and decodes Engine.IO v4 packets, polling payloads and the
// handshake, without doing any I/O.
//
// A Packet is a type and its data. Over WebSocket every packet is one frame: text
// packets are the type character followed by the data ("4hello"), binary messages
// are the raw bytes of a binary frame. Over HTTP long-polling packets are joined
// by the record separator 0x1E, and binary messages travel as "b" followed by
// standard base64.
//
// Decoders never panic on hostile input; they return errors that match
// ErrInvalidPacket or ErrPayloadTooLarge with errors.Is.
package eio
