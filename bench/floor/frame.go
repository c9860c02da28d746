//go:build !js

package main

import (
	"encoding/binary"
	"errors"
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// WebSocket close codes (RFC 6455 section 7.4.1).
const (
	closeNormal      = 1000
	closeProtocol    = 1002
	closeUnsupported = 1003
	closePolicy      = 1008
	closeTooBig      = 1009
)

// frameError is a client frame the server refuses: it closes the connection
// with code and the error's text as the reason.
type frameError struct {
	code uint16
	msg  string
}

func (e *frameError) Error() string { return "floor: " + e.msg }

// errIncomplete: the buffer does not hold the whole frame header yet.
var errIncomplete = errors.New("floor: incomplete frame header")

// frame is a parsed client frame header.
type frame struct {
	op     byte
	fin    bool
	header int // header length, mask key included
	size   int // header + payload
	mask   [4]byte
}

// parseFrame parses the header of the client frame at the start of b
// (errIncomplete when b is too short for it).
func parseFrame(b []byte) (frame, error) {
	if len(b) < 2 {
		return frame{}, errIncomplete
	}
	f := frame{op: b[0] & 0x0f, fin: b[0]&0x80 != 0, header: 2}
	if b[0]&0x70 != 0 {
		return f, &frameError{closeProtocol, "reserved bits set (no extension was negotiated)"}
	}
	if b[1]&0x80 == 0 {
		return f, &frameError{closeProtocol, "unmasked client frame"}
	}
	n := uint64(b[1] & 0x7f)
	switch n {
	case 126:
		if len(b) < 4 {
			return f, errIncomplete
		}
		n, f.header = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return f, errIncomplete
		}
		n, f.header = binary.BigEndian.Uint64(b[2:]), 10
	}
	if f.op >= opClose && (n > 125 || !f.fin) {
		return f, &frameError{closeProtocol, "bad control frame"}
	}
	if n > maxPayload {
		return f, &frameError{closeTooBig, "message too big"}
	}
	if len(b) < f.header+4 {
		return f, errIncomplete
	}
	copy(f.mask[:], b[f.header:])
	f.header += 4
	f.size = f.header + int(n)
	return f, nil
}

// unmask XORs p with the frame's mask key in place.
func (f *frame) unmask(p []byte) {
	for i := range p {
		p[i] ^= f.mask[i&3]
	}
}

// appendFrameHeader appends an unmasked (server) frame header, FIN set.
func appendFrameHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}
