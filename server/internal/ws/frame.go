package ws

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	OpContinuation = 0
	OpText         = 1
	OpBinary       = 2
	OpClose        = 8
	OpPing         = 9
	OpPong         = 10
)

// Close status codes the server sends (RFC 6455 section 7.4.1).
const (
	CloseNormal        = 1000
	CloseProtocol      = 1002
	CloseInvalidData   = 1007
	CloseMessageTooBig = 1009
)

// Error is a violation of RFC 6455 by the client: the connection is closed
// with code. It wraps ErrProtocol or ErrMessageTooBig.
type Error struct {
	Code uint16 // the close code the connection is to be closed with
	msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("engine: websocket: %s (close %d)", e.msg, e.Code)
}

func (e *Error) Unwrap() error {
	if e.Code == CloseMessageTooBig {
		return ErrMessageTooBig
	}
	return ErrProtocol
}

func protocolError(msg string) error { return &Error{Code: CloseProtocol, msg: msg} }

// The errors an *Error wraps. Their texts are those the engine reported
// before the codec had a package of its own (package engine exports them as
// ErrWebsocketProtocol and ErrMessageTooBig).
var (
	// ErrProtocol: the client broke RFC 6455 (close 1002 or 1007).
	ErrProtocol = errors.New("engine: websocket protocol violation")
	// ErrMessageTooBig: a message over the size limit (close 1009).
	ErrMessageTooBig = errors.New("engine: websocket message too big")
)

// ErrPeerClosed is returned by ReadMessage when the client closed the
// WebSocket with a close frame (answered already).
var ErrPeerClosed = errors.New("engine: websocket closed by the client")

// wsHeader is a frame header as read.
type wsHeader struct {
	fin    bool
	rsv    byte // the three RSV bits, in place (0x70)
	op     byte
	masked bool
	key    [4]byte
	n      int64 // payload length
}

// readHeader reads the next frame header.
func (c *Conn) readHeader() (wsHeader, error) {
	var h wsHeader
	if err := c.fill(2); err != nil {
		return h, err
	}
	b := c.buffered()
	b0, b1 := b[0], b[1]
	need := 2
	switch b1 & 0x7f {
	case 126:
		need += 2
	case 127:
		need += 8
	}
	if b1&0x80 != 0 {
		need += 4
	}
	if err := c.fill(need); err != nil {
		return h, err
	}
	b = c.buffered()
	h.fin, h.rsv, h.op, h.masked = b0&0x80 != 0, b0&0x70, b0&0x0f, b1&0x80 != 0
	i := 2
	switch n := b1 & 0x7f; n {
	case 126:
		h.n = int64(binary.BigEndian.Uint16(b[2:]))
		i += 2
	case 127:
		u := binary.BigEndian.Uint64(b[2:])
		if u>>63 != 0 {
			c.pending = -1
			return h, protocolError("invalid payload length")
		}
		h.n = int64(u)
		i += 8
	default:
		h.n = int64(n)
	}
	if h.masked {
		copy(h.key[:], b[i:i+4])
	}
	c.r += need
	c.pending = h.n
	return h, nil
}

// ReadMessage reads the next data message: its opcode (OpText or OpBinary)
// and its payload, unmasked, inflated when compressed, in a new slice of its
// exact size (the only allocation of an uncompressed message of one frame).
// Control frames in between are handled: a ping is answered, a pong
// ignored, a close frame answered (ErrPeerClosed is returned). Violations of
// the protocol are returned as *Error; other errors are the connection's.
func (c *Conn) ReadMessage() (byte, []byte, error) {
	var (
		msg        []byte
		op         byte
		started    bool
		compressed bool
	)
	for {
		h, err := c.readHeader()
		if err != nil {
			return 0, nil, err
		}
		if !h.masked {
			return 0, nil, protocolError("unmasked client frame")
		}
		if h.op >= OpClose {
			if err := c.control(h); err != nil {
				return 0, nil, err
			}
			continue
		}
		switch h.op {
		case OpContinuation:
			if !started {
				return 0, nil, protocolError("continuation frame without a message")
			}
			if h.rsv != 0 {
				return 0, nil, protocolError("RSV bits set on a continuation frame")
			}
		case OpText, OpBinary:
			if started {
				return 0, nil, protocolError("new message inside a fragmented message")
			}
			if h.rsv != 0 && (h.rsv != 0x40 || !c.deflate) {
				return 0, nil, protocolError("RSV bits set without a negotiated extension")
			}
			started, op, compressed = true, h.op, h.rsv != 0
		default:
			return 0, nil, protocolError(fmt.Sprintf("unknown opcode %d", h.op))
		}
		if h.n > c.maxMsg-int64(len(msg)) {
			return 0, nil, &Error{Code: CloseMessageTooBig, msg: "message over MaxHTTPBufferSize"}
		}
		if msg, err = c.appendPayload(msg, h); err != nil {
			return 0, nil, err
		}
		if h.fin {
			break
		}
	}
	if compressed {
		var err error
		if msg, err = inflate(msg, c.maxMsg); err != nil {
			return 0, nil, err
		}
	}
	if op == OpText && !utf8.Valid(msg) {
		return 0, nil, &Error{Code: CloseInvalidData, msg: "invalid UTF-8 in a text message"}
	}
	c.releaseBuffer()
	return op, msg, nil
}

// control handles a control frame: ping is answered with a pong, pong is
// ignored, close is answered (ErrPeerClosed, or a *Error for a bad close
// payload).
func (c *Conn) control(h wsHeader) error {
	if !h.fin || h.n > 125 {
		return protocolError("fragmented or long control frame")
	}
	if h.rsv != 0 {
		return protocolError("RSV bits set on a control frame")
	}
	var buf [125]byte
	p := buf[:h.n]
	if err := c.readPayload(p, h.key); err != nil {
		return err
	}
	switch h.op {
	case OpPing:
		return c.out.writeControl(OpPong, p)
	case OpPong:
		return nil
	case OpClose:
		code := uint16(CloseNormal)
		switch {
		case len(p) == 1:
			return protocolError("close frame of one byte")
		case len(p) >= 2:
			code = binary.BigEndian.Uint16(p)
			if !validCloseCode(code) {
				return protocolError(fmt.Sprintf("invalid close code %d", code))
			}
			if !utf8.Valid(p[2:]) {
				return &Error{Code: CloseInvalidData, msg: "invalid UTF-8 in a close reason"}
			}
		}
		c.SendClose(code)
		return ErrPeerClosed
	default:
		return protocolError(fmt.Sprintf("unknown opcode %d", h.op))
	}
}

// validCloseCode reports whether a client may send code in a close frame
// (the ws library's isValidStatusCode).
func validCloseCode(code uint16) bool {
	return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006 ||
		code >= 3000 && code <= 4999
}

// eagerPayload: a frame payload up to this size gets its whole buffer at
// once; a larger one grows as its bytes arrive, so that a
// client cannot make the server allocate MaxHTTPBufferSize per connection
// with a frame header alone.
const eagerPayload = 64 << 10

// appendPayload reads the payload of frame h, unmasked, appended to msg (a
// message of one frame up to eagerPayload: in a new slice of its exact
// size).
func (c *Conn) appendPayload(msg []byte, h wsHeader) ([]byte, error) {
	if h.n <= eagerPayload {
		if msg == nil {
			msg = make([]byte, h.n)
			return msg, c.readPayload(msg, h.key)
		}
		start := len(msg)
		msg = append(msg, make([]byte, h.n)...)
		return msg, c.readPayload(msg[start:], h.key)
	}
	for done := int64(0); done < h.n; {
		chunk := min(h.n-done, max(eagerPayload, int64(len(msg))))
		start := len(msg)
		msg = append(msg, make([]byte, chunk)...)
		var key [4]byte
		for i := range key {
			key[i] = h.key[(int64(i)+done)&3]
		}
		if err := c.readPayload(msg[start:], key); err != nil {
			return nil, err
		}
		done += chunk
	}
	return msg, nil
}

// readPayload reads len(dst) payload bytes into dst, unmasked with key:
// what is buffered, then straight from the connection.
func (c *Conn) readPayload(dst []byte, key [4]byte) error {
	k := 0
	if c.rb != nil {
		k = copy(dst, c.buffered())
		c.r += k
	}
	if k < len(dst) {
		c.releaseBuffer()
		if c.rerr != nil {
			return c.rerr
		}
		if _, err := io.ReadFull(c.conn, dst[k:]); err != nil {
			c.rerr = err
			return err
		}
	}
	c.pending = 0
	maskBytes(key, dst)
	return nil
}

// skip discards n payload bytes.
func (c *Conn) skip(n int64) error {
	for n > 0 {
		if c.r == c.w {
			if err := c.fill(1); err != nil {
				return err
			}
		}
		k := min(n, int64(c.w-c.r))
		c.r += int(k)
		n -= k
	}
	return nil
}

// maskBytes XORs b with the masking key (RFC 6455 section 5.3), b starting
// at the beginning of a payload.
func maskBytes(key [4]byte, b []byte) {
	if len(b) >= 8 {
		k32 := binary.LittleEndian.Uint32(key[:])
		k64 := uint64(k32) | uint64(k32)<<32
		for len(b) >= 32 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
			binary.LittleEndian.PutUint64(b[8:], binary.LittleEndian.Uint64(b[8:])^k64)
			binary.LittleEndian.PutUint64(b[16:], binary.LittleEndian.Uint64(b[16:])^k64)
			binary.LittleEndian.PutUint64(b[24:], binary.LittleEndian.Uint64(b[24:])^k64)
			b = b[32:]
		}
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
			b = b[8:]
		}
		// 8-byte steps keep the key's phase: the rest starts at key[0].
	}
	for i := range b {
		b[i] ^= key[i&3]
	}
}
