package ws

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// The frame reader is resumable: parse makes a message of the bytes
// buffered so far, or reports errMore, keeping what it used (a message's
// frames read so far, the place in the current frame's payload) in the
// Conn. Whoever reads then puts more bytes where readTarget says and calls
// it again: ReadMessage with blocking reads of the net.Conn, ReadRaw with
// reads of the descriptor inside a RawConn.Read callback, where a blocking
// read of the connection would deadlock (it takes the descriptor's read
// lock, which the callback's caller holds).

// errMore: the next message's bytes have not all been read yet.
var errMore = errors.New("ws: more bytes needed")

// partial is a data message whose frames have not all been used yet: its
// payload so far and the current frame's state. A Conn has one only while
// such a message is in progress: a message of one frame that arrives in one
// read never needs one.
type partial struct {
	// msg is the payload used so far, unmasked; its spare capacity is
	// room for the current frame's next bytes.
	msg        []byte
	key        [4]byte // the current frame's mask, turned to the phase of its next byte
	op         byte    // the message's opcode (OpText, OpBinary)
	fin        bool    // the current frame is the message's last
	compressed bool
}

// eagerPayload: a frame payload up to this size gets its whole room at
// once; a larger one grows as its bytes arrive (doubling at most), so that
// a client cannot make the server allocate MaxHTTPBufferSize per connection
// with a frame header alone.
const eagerPayload = 64 << 10

// directRead: when nothing is buffered and at least this much of the
// current frame's payload is missing, it is read straight into the message
// rather than through the read buffer.
const directRead = 4 << 10

// parse returns the next data message made of the buffered bytes (see
// ReadMessage), errMore when they do not hold all of it yet, or the
// protocol violation. c.pending stays the unused payload of the frame
// whose header was used last, for DrainAndClose.
func (c *Conn) parse() (byte, []byte, error) {
	for {
		if p := c.part; p != nil {
			// Inside a fragmented message or a frame that did not come whole
			// (the rest of its payload may have been read into the message).
			if !c.usePayload() {
				return 0, nil, errMore
			}
			if p.fin {
				return c.finishPart()
			}
		}
		b := c.buffered()
		h, size, ok, err := peekHeader(b)
		if err != nil {
			c.pending = -1
			return 0, nil, err
		}
		if !ok {
			return 0, nil, errMore
		}
		if h.op >= OpClose && h.fin && h.n <= 125 && int64(len(b)-size) < h.n {
			return 0, nil, errMore // a control frame is used whole, once all of it is here
		}
		c.r += size
		c.pending = h.n
		if !h.masked {
			return 0, nil, protocolError("unmasked client frame")
		}
		if h.op >= OpClose {
			if err := c.control(h); err != nil {
				return 0, nil, err
			}
			continue
		}
		started := c.part != nil
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
		default:
			return 0, nil, protocolError(fmt.Sprintf("unknown opcode %d", h.op))
		}
		var have int64
		if started {
			have = int64(len(c.part.msg))
		}
		if h.n > c.maxMsg-have {
			return 0, nil, &Error{Code: CloseMessageTooBig, msg: "message over MaxHTTPBufferSize"}
		}
		if !started && h.fin && int64(len(b)-size) >= h.n {
			// The usual message: one frame, all of it buffered.
			msg := make([]byte, h.n)
			c.r += copy(msg, b[size:])
			c.pending = 0
			maskBytes(h.key, msg)
			return c.finish(h.op, msg, h.rsv != 0)
		}
		if !started {
			c.part = &partial{op: h.op, compressed: h.rsv != 0}
		}
		c.part.fin, c.part.key = h.fin, h.key
	}
}

// usePayload moves the buffered bytes of the current data frame's payload
// into the message: false when some have not arrived yet.
func (c *Conn) usePayload() bool {
	for c.pending > 0 && c.r < c.w {
		c.took(copy(c.room(), c.buffered()), true)
	}
	return c.pending == 0
}

// room returns where the current frame's next payload bytes go: the spare
// capacity of the message (grown when there is none), at most what the
// frame still has.
func (c *Conn) room() []byte {
	p := c.part
	if len(p.msg) == cap(p.msg) {
		chunk := min(c.pending, max(eagerPayload, int64(len(p.msg))))
		if p.msg == nil {
			p.msg = make([]byte, 0, chunk)
		} else {
			p.msg = slices.Grow(p.msg, int(chunk))
		}
	}
	free := p.msg[len(p.msg):cap(p.msg)]
	return free[:min(int64(len(free)), c.pending)]
}

// took adds the next k payload bytes of the current frame, in room(), to
// the message, unmasked; fromBuffer: they were copied from the read buffer.
func (c *Conn) took(k int, fromBuffer bool) {
	p := c.part
	b := p.msg[len(p.msg) : len(p.msg)+k]
	maskBytes(p.key, b)
	p.msg = p.msg[:len(p.msg)+k]
	if s := k & 3; s != 0 {
		p.key = [4]byte{p.key[s], p.key[(s+1)&3], p.key[(s+2)&3], p.key[(s+3)&3]}
	}
	c.pending -= int64(k)
	if fromBuffer {
		c.r += k
	}
}

// finishPart returns the message of c.part, whose last frame was used.
func (c *Conn) finishPart() (byte, []byte, error) {
	p := c.part
	c.part = nil
	return c.finish(p.op, p.msg, p.compressed)
}

// finish returns a message whose frames were all used: inflated when
// compressed, its UTF-8 checked when text. The read buffer is given back
// when nothing else is in it.
func (c *Conn) finish(op byte, msg []byte, compressed bool) (byte, []byte, error) {
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

// readTarget returns where the next bytes read go, after parse reported
// errMore: straight into the message (direct) when nothing is buffered and
// much of the current frame is missing, else the free space of the read
// buffer (taken from the pool; its unused bytes, less than a control frame,
// moved to its start when it is short of space).
func (c *Conn) readTarget() (dst []byte, direct bool) {
	if c.part != nil && c.pending >= directRead && c.r == c.w {
		c.releaseBuffer()
		return c.room(), true
	}
	if c.rb == nil {
		c.rb, c.r, c.w = getBuf(), 0, 0
	}
	buf := (*c.rb)[:cap(*c.rb)]
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if len(buf)-c.w < maxHeader+125 {
		c.w = copy(buf, buf[c.r:c.w])
		c.r = 0
	}
	return buf[c.w:], false
}

// commit accounts for n bytes read into readTarget's dst.
func (c *Conn) commit(n int, direct bool) {
	if direct {
		c.took(n, false)
		return
	}
	c.w += n
}
