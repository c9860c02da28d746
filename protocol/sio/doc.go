// Package sio encodes and decodes Socket.IO v5 packets, binary attachments
// included, without doing any I/O.
//
// A Packet travels as the data of one Engine.IO message packet, followed by one
// binary Engine.IO message per attachment. Encode turns a Packet into those
// Engine.IO packets once, so that a broadcast can write the same bytes to every
// recipient; a Decoder turns incoming Engine.IO messages back into Packets,
// collecting attachments.
//
// Event arguments stay raw JSON (json.RawMessage) until a handler decodes them:
// relaying is byte-identical, with no key reordering and no HTML escaping.
package sio
