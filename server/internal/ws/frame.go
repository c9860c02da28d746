package ws

import (
	"encoding/binary"
	"errors"
	"fmt"
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

// maxHeader is the longest frame header: 2 bytes, an 8-byte length and the
// mask. A control frame is at most maxHeader+125 bytes.
const maxHeader = 14

// peekHeader parses the frame header at the start of b. When b does not
// hold all of it, ok is false and size is how many bytes it takes (at least
// the 2 that say).
func peekHeader(b []byte) (h wsHeader, size int, ok bool, err error) {
	if len(b) < 2 {
		return h, 2, false, nil
	}
	b0, b1 := b[0], b[1]
	size = 2
	switch b1 & 0x7f {
	case 126:
		size += 2
	case 127:
		size += 8
	}
	if b1&0x80 != 0 {
		size += 4
	}
	if len(b) < size {
		return h, size, false, nil
	}
	h.fin, h.rsv, h.op, h.masked = b0&0x80 != 0, b0&0x70, b0&0x0f, b1&0x80 != 0
	i := 2
	switch n := b1 & 0x7f; n {
	case 126:
		h.n = int64(binary.BigEndian.Uint16(b[2:]))
		i += 2
	case 127:
		u := binary.BigEndian.Uint64(b[2:])
		if u>>63 != 0 {
			return h, size, true, protocolError("invalid payload length")
		}
		h.n = int64(u)
		i += 8
	default:
		h.n = int64(n)
	}
	if h.masked {
		copy(h.key[:], b[i:i+4])
	}
	return h, size, true, nil
}

// readHeader reads the next frame header (DrainAndClose).
func (c *Conn) readHeader() (wsHeader, error) {
	for {
		h, size, ok, err := peekHeader(c.buffered())
		if err != nil {
			c.pending = -1
			return h, err
		}
		if ok {
			c.r += size
			c.pending = h.n
			return h, nil
		}
		if err := c.fill(size); err != nil {
			return h, err
		}
	}
}

// ReadMessage reads the next data message: its opcode (OpText or OpBinary)
// and its payload, unmasked, inflated when compressed, in a new slice of its
// exact size (the only allocation of an uncompressed message of one frame).
// Control frames in between are handled: a ping is answered, a pong
// ignored, a close frame answered (ErrPeerClosed is returned). Violations of
// the protocol are returned as *Error; other errors are the connection's.
// After an error, only DrainAndClose, CloseNow and Finish may follow.
func (c *Conn) ReadMessage() (byte, []byte, error) {
	for {
		op, msg, err := c.parse()
		if err != errMore {
			return op, msg, err
		}
		if c.rerr != nil {
			return 0, nil, c.rerr
		}
		dst, direct := c.readTarget()
		n, err := c.conn.Read(dst)
		c.commit(n, direct)
		if err != nil {
			c.rerr = err
		}
	}
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
	p := buf[:copy(buf[:h.n], c.buffered())] // parse made sure all of it is buffered
	c.r += len(p)
	c.pending = 0
	maskBytes(h.key, p)
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
