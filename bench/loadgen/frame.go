//go:build !js

package loadgen

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
)

// The WebSocket client framing of the load generator (RFC 6455 section 5):
// masked frames out, unmasked frames in, no extensions.

// ErrFrame reports a WebSocket frame that breaks RFC 6455 (or the read limit).
var ErrFrame = errors.New("loadgen: bad websocket frame")

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// maxFrameHeader is the longest client frame header: 2 bytes, an 8-byte
// extended length and the 4-byte mask key.
const maxFrameHeader = 2 + 8 + 4

// appendFrame appends one final, masked client frame of opcode op carrying
// payload to dst, with a fresh random mask key.
func appendFrame(dst []byte, op byte, payload []byte) []byte {
	dst = appendFrameHeader(dst, op, len(payload), rand.Uint32())
	n := len(dst)
	dst = append(dst, payload...)
	maskBytes(dst[n-4:n], dst[n:])
	return dst
}

// appendFrameHeader appends the header of a final, masked frame of opcode op
// and length n, ending with the mask key.
func appendFrameHeader(dst []byte, op byte, n int, key uint32) []byte {
	dst = append(dst, 0x80|op)
	switch {
	case n <= 125:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return binary.LittleEndian.AppendUint32(dst, key)
}

// maskBytes XORs b with the 4-byte mask key, key[0] first (masking and
// unmasking are the same operation).
func maskBytes(key []byte, b []byte) {
	k32 := binary.LittleEndian.Uint32(key)
	k64 := uint64(k32) | uint64(k32)<<32
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= byte(bits.RotateLeft32(k32, -8*(i%4)))
	}
}

// frameHeader is a parsed server frame header.
type frameHeader struct {
	fin    bool
	rsv1   bool // a compressed message (permessage-deflate), on its first frame
	op     byte
	length int64
}

// readFrameHeader reads one server frame header from br: no RSV bits (but
// RSV1 when deflate was negotiated), no mask (servers must not mask), a
// known opcode, final control frames of at most 125 bytes, a 64-bit length
// with its top bit clear.
func readFrameHeader(br *bufio.Reader, deflate bool) (frameHeader, error) {
	var h frameHeader
	b, err := br.Peek(2)
	if err != nil {
		if len(b) > 0 {
			err = unexpectedEOF(err)
		}
		return h, err
	}
	b0, b1 := b[0], b[1]
	if _, err := br.Discard(2); err != nil {
		return h, err
	}
	h.fin = b0&0x80 != 0
	h.op = b0 & 0x0F
	h.rsv1 = b0&0x40 != 0
	if rsv := b0 & 0x70; rsv != 0 && (!deflate || rsv != 0x40) {
		return h, fmt.Errorf("%w: reserved bits %#x set (not negotiated)", ErrFrame, rsv)
	}
	if b1&0x80 != 0 {
		return h, fmt.Errorf("%w: masked frame from the server", ErrFrame)
	}
	switch n := b1 & 0x7F; n {
	case 126:
		ext, err := br.Peek(2)
		if err != nil {
			return h, unexpectedEOF(err)
		}
		h.length = int64(binary.BigEndian.Uint16(ext))
		_, _ = br.Discard(2)
	case 127:
		ext, err := br.Peek(8)
		if err != nil {
			return h, unexpectedEOF(err)
		}
		l := binary.BigEndian.Uint64(ext)
		_, _ = br.Discard(8)
		if l>>63 != 0 {
			return h, fmt.Errorf("%w: 64-bit length with the top bit set", ErrFrame)
		}
		h.length = int64(l)
	default:
		h.length = int64(n)
	}
	switch h.op {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		if h.rsv1 {
			return h, fmt.Errorf("%w: compressed control frame %#x", ErrFrame, h.op)
		}
		if !h.fin || h.length > 125 {
			return h, fmt.Errorf("%w: control frame %#x fragmented or longer than 125 bytes", ErrFrame, h.op)
		}
	default:
		return h, fmt.Errorf("%w: unknown opcode %#x", ErrFrame, h.op)
	}
	return h, nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// messageReader reads whole WebSocket messages from a server. Control frames
// between and inside fragmented messages go to onControl. br's buffer must
// hold at least 125 bytes (a control frame's payload is peeked whole).
type messageReader struct {
	br    *bufio.Reader
	limit int64 // largest message accepted
	// onControl handles a ping, pong or close frame; its payload is valid
	// only during the call. An error ends the reading.
	onControl func(op byte, payload []byte) error

	msg  []byte // a message assembled from fragments or larger than br's buffer
	skip int    // bytes of br still holding the last message returned

	// deflate: permessage-deflate was negotiated; a message whose first
	// frame has RSV1 is inflated into inflated.
	deflate  bool
	inflated []byte
}

// next returns the next data message: its opcode (opText or opBinary) and
// its payload, valid until the following call. A message whose single frame
// is in br's buffer is returned from that buffer without a copy.
func (r *messageReader) next() (byte, []byte, error) {
	if r.skip > 0 {
		_, _ = r.br.Discard(r.skip) // buffered: cannot fail
		r.skip = 0
	}
	var op byte // opcode of the message being assembled, 0 = none
	compressed := false
	r.msg = r.msg[:0]
	for {
		h, err := readFrameHeader(r.br, r.deflate)
		if err != nil {
			if op != 0 {
				err = unexpectedEOF(err)
			}
			return 0, nil, err
		}
		if h.op >= opClose {
			if err := r.control(h); err != nil {
				return 0, nil, err
			}
			continue
		}
		switch {
		case h.op == opContinuation && op == 0:
			return 0, nil, fmt.Errorf("%w: continuation frame outside a fragmented message", ErrFrame)
		case h.op != opContinuation && op != 0:
			return 0, nil, fmt.Errorf("%w: new data frame inside a fragmented message", ErrFrame)
		case h.rsv1 && h.op == opContinuation:
			return 0, nil, fmt.Errorf("%w: RSV1 on a continuation frame", ErrFrame)
		}
		if op == 0 {
			compressed = h.rsv1
		}
		if int64(len(r.msg))+h.length > r.limit {
			return 0, nil, fmt.Errorf("%w: message longer than the read limit of %d bytes", ErrFrame, r.limit)
		}
		n := int(h.length)
		if op == 0 && h.fin && n <= r.br.Size() {
			// The common case: one frame that fits the buffer.
			b, err := r.br.Peek(n)
			if err != nil {
				return 0, nil, unexpectedEOF(err)
			}
			r.skip = n
			if compressed {
				return r.inflate(h.op, b)
			}
			return h.op, b, nil
		}
		if op == 0 {
			op = h.op
		}
		l := len(r.msg)
		r.msg = growTo(r.msg, l+n)
		if _, err := io.ReadFull(r.br, r.msg[l:]); err != nil {
			return 0, nil, unexpectedEOF(err)
		}
		if h.fin {
			if compressed {
				return r.inflate(op, r.msg)
			}
			return op, r.msg, nil
		}
	}
}

// inflate returns the inflated payload of a compressed message of opcode op
// (valid until the following call of next).
func (r *messageReader) inflate(op byte, z []byte) (byte, []byte, error) {
	out, err := inflateInto(r.inflated[:0], z, r.limit)
	if err != nil {
		return 0, nil, err
	}
	r.inflated = out
	return op, out, nil
}

// control reads the payload of the control frame h and passes it on.
func (r *messageReader) control(h frameHeader) error {
	b, err := r.br.Peek(int(h.length)) // <= 125 bytes: fits br (see messageReader)
	if err != nil {
		return unexpectedEOF(err)
	}
	err = r.onControl(h.op, b)
	_, _ = r.br.Discard(len(b))
	return err
}

// growTo returns b resliced to length n, reallocated if its capacity is short.
func growTo(b []byte, n int) []byte {
	if n <= cap(b) {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}
