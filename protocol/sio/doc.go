// Package sio encodes and decodes Socket.IO v5 packets, binary attachments
// included, without doing any I/O.
//
// A Packet travels as the data of one Engine.IO message packet, followed by one
// binary Engine.IO message per attachment. Encode turns a Packet into those
// Engine.IO packets once, so that a broadcast can write the same bytes to every
// recipient; a Decoder turns incoming Engine.IO messages back into Packets,
// collecting attachments, with a bound on how many one packet may announce.
//
// Event arguments stay raw JSON (json.RawMessage) until a handler decodes them:
// relaying is byte-identical, with no key reordering and no HTML escaping, and
// strings are written exactly as JavaScript's JSON.stringify writes them.
// Binary data is a []byte wherever it sits in an argument (a struct field, a
// map value, a slice element): it travels as an attachment, as a Buffer
// inside an object does in JavaScript, and Args.Decode gives each attachment
// back as a []byte, into a []byte or an interface at any depth.
//
// Decoding follows socket.io-parser 4.2.7 (namespace and comma rules, ack ids
// including 0, payload validity per type, placeholder checks) and is checked
// byte for byte against it by the cross-check test. It is stricter in a few
// corners where the reference accepts nonsense: an empty string or a space is
// not a CONNECT, EVENT, ACK and CONNECT_ERROR need a payload, white space may
// not precede the payload (the reference reads it as an ack id), and an ack id
// has at most 16 digits. Every decoding error matches ErrInvalidPacket; none
// panics.
package sio
