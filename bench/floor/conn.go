//go:build !js

package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"time"
)

const (
	// readBuf is an idle connection's read buffer: it holds an echo frame.
	readBuf = 128
	// keepBuf: a read buffer grown for a larger frame is dropped once empty
	// if over this size.
	keepBuf = 4096
	// lingerTime bounds linger.
	lingerTime = 500 * time.Millisecond
)

// errDone ends a connection without an error (the client left).
var errDone = errors.New("floor: connection done")

// conn is one client connection: the least state the scenarios need.
type conn struct {
	s          *server
	nc         *net.TCPConn
	prev, next *conn // server.head list
	buf        []byte
	n          int  // bytes held in buf
	connected  bool // the default namespace's CONNECT was answered
}

func (c *conn) serve() {
	defer c.s.remove(c)
	defer c.nc.Close()
	err := c.handshake()
	if err == nil {
		err = c.readFrames()
	}
	if fe, ok := errors.AsType[*frameError](err); ok {
		c.closeWith(fe.code, fe.msg)
		c.linger()
	} else if errors.Is(err, errBadRequest) {
		c.linger()
	}
	if err != nil && !errors.Is(err, errDone) && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		c.s.log.Debug("connection", "remote", c.nc.RemoteAddr(), "err", err)
	}
}

// linger ends a connection the server refused: it half-closes it and
// discards what the client still sends (bounded in bytes and time), so that
// the refusal is read before the connection closes, not lost to a reset.
func (c *conn) linger() {
	if c.nc.CloseWrite() != nil || c.nc.SetReadDeadline(time.Now().Add(lingerTime)) != nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(c.nc, 64<<10))
}

// readFrames reads and handles client frames until the connection ends.
func (c *conn) readFrames() error {
	r := 0 // start of the unhandled bytes in c.buf[:c.n]
	for {
		f, err := parseFrame(c.buf[r:c.n])
		if err == nil && c.n-r < f.size || err == errIncomplete {
			need := max(f.size, 14) // 14: the longest header
			if r > 0 {
				c.n = copy(c.buf, c.buf[r:c.n])
				r = 0
			}
			if need > len(c.buf) {
				nb := make([]byte, need)
				copy(nb, c.buf[:c.n])
				c.buf = nb
			}
			m, err := c.nc.Read(c.buf[c.n:])
			c.n += m
			if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		p := c.buf[r+f.header : r+f.size]
		f.unmask(p)
		r += f.size
		if err := c.onFrame(&f, p); err != nil {
			return err
		}
		if r == c.n {
			r, c.n = 0, 0
			if len(c.buf) > keepBuf {
				c.buf = make([]byte, readBuf)
			}
		}
	}
}

func (c *conn) onFrame(f *frame, p []byte) error {
	switch f.op {
	case opText:
		if !f.fin {
			return &frameError{closeUnsupported, "fragmented messages are not implemented"}
		}
		return c.onPacket(p)
	case opClose:
		code := uint16(closeNormal)
		if len(p) >= 2 {
			code = binary.BigEndian.Uint16(p)
		}
		c.closeWith(code, "")
		return errDone
	case opPing:
		return c.write(opPong, p)
	case opPong:
		return nil
	case opBinary, opContinuation:
		return &frameError{closeUnsupported, "binary and fragmented messages are not implemented"}
	default:
		return &frameError{closeProtocol, "unknown opcode"}
	}
}

// onPacket handles one Engine.IO packet.
func (c *conn) onPacket(p []byte) error {
	if len(p) == 0 {
		return &frameError{closeProtocol, "empty Engine.IO packet"}
	}
	switch p[0] {
	case '4': // message: a Socket.IO packet
		return c.onSocketIO(p[1:])
	case '3', '6': // pong, noop
		return nil
	case '1': // close
		c.closeWith(closeNormal, "")
		return errDone
	default:
		return &frameError{closeProtocol, "unexpected Engine.IO packet type " + string(p[0])}
	}
}

// Read-only byte strings of the packets.
var (
	echoPrefix       = []byte(`["echo"`)
	ackPrefix        = []byte("43")
	openBracket      = []byte("[")
	connectError     = []byte("44")
	invalidNamespace = []byte(`,{"message":"Invalid namespace"}`)
)

// onSocketIO handles one Socket.IO packet (the Engine.IO type byte removed).
func (c *conn) onSocketIO(p []byte) error {
	if len(p) == 0 {
		return &frameError{closeProtocol, "empty Socket.IO packet"}
	}
	if len(p) > 1 && p[1] == '/' {
		nsp, _, _ := bytes.Cut(p[1:], []byte(","))
		if p[0] == '0' {
			// CONNECT to a namespace other than the default: refused, as
			// by a server without it.
			return c.write(opText, connectError, nsp, invalidNamespace)
		}
		return &frameError{closePolicy, "only the default namespace is implemented"}
	}
	switch p[0] {
	case '0': // CONNECT (with or without auth)
		c.connected = true
		return c.writeConnect()
	case '1': // DISCONNECT: the client left the namespace (and the server)
		c.closeWith(closeNormal, "")
		return errDone
	case '2': // EVENT
		if !c.connected {
			return &frameError{closePolicy, "event before CONNECT"}
		}
		q := p[1:]
		i := 0
		for i < len(q) && q[i] >= '0' && q[i] <= '9' {
			i++
		}
		id, args := q[:i], q[i:]
		if !bytes.HasPrefix(args, echoPrefix) {
			return &frameError{closeUnsupported, "only the echo event is implemented"}
		}
		rest := args[len(echoPrefix):] // `]` or `,<args>]`
		switch {
		case len(rest) == 0 || rest[len(rest)-1] != ']':
			return &frameError{closeProtocol, "malformed event"}
		case rest[0] == ',':
			rest = rest[1:]
		case len(rest) != 1:
			return &frameError{closeProtocol, "malformed event"}
		}
		if len(id) == 0 {
			return nil // no ack wanted
		}
		return c.write(opText, ackPrefix, id, openBracket, rest)
	case '3': // ACK: the floor never asks for one
		return nil
	default:
		return &frameError{closeUnsupported, "unsupported Socket.IO packet type " + string(p[0])}
	}
}

// write sends one frame whose payload is parts, in one write.
func (c *conn) write(op byte, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	bp := c.s.wBufs.Get().(*[]byte)
	out := appendFrameHeader((*bp)[:0], op, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	_, err := c.nc.Write(out)
	if cap(out) <= keepBuf {
		*bp = out[:0]
		c.s.wBufs.Put(bp)
	}
	return err
}

// writeConnect answers the default namespace's CONNECT with a new socket id.
func (c *conn) writeConnect() error {
	const open, end = `40{"sid":"`, `"}`
	bp := c.s.wBufs.Get().(*[]byte)
	out := appendFrameHeader((*bp)[:0], opText, len(open)+sidLen+len(end))
	out = append(appendSID(append(out, open...)), end...)
	_, err := c.nc.Write(out)
	*bp = out[:0]
	c.s.wBufs.Put(bp)
	return err
}

// closeWith sends a close frame with code and reason (cut to fit a control
// frame); the connection is closed next.
func (c *conn) closeWith(code uint16, reason string) {
	var b [2 + 123]byte
	binary.BigEndian.PutUint16(b[:], code)
	n := 2 + copy(b[2:], reason)
	_ = c.write(opClose, b[:n])
}
