//go:build !js

package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

var (
	// ErrProtocol reports a frame the load generator did not expect from the server.
	ErrProtocol = errors.New("loadgen: unexpected frame")
	// ErrServerClosed reports a WebSocket close frame from the server.
	ErrServerClosed = errors.New("loadgen: server closed the websocket")
)

var (
	framePong    = []byte("3")
	frameConnect = []byte("40")
	msgPrefix    = []byte(`42["msg"`)
)

// Conn is one benchmark connection: a WebSocket speaking Engine.IO v4 and
// Socket.IO v5 on the default namespace, framed by the load generator itself
// over the TCP connection (frame.go): one write per packet sent, messages
// handled in place in the read buffer. Its reader goroutine answers pings,
// counts "msg" events and runs ack callbacks.
type Conn struct {
	nc   net.Conn
	poll *poller // the polling transport (nil: websocket, over nc)
	r    messageReader
	SID  string // Engine.IO session id
	ID   string // Socket.IO socket id

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]func(data []byte)

	wmu  sync.Mutex
	wbuf []byte // the last frame written; its first maxFrameHeader bytes are reserved for headers

	msgs      atomic.Int64 // "msg" events received since the last Reset
	badMsgs   atomic.Int64 // "msg" events of the wrong size
	others    atomic.Int64 // other frames (events, unknown acks)
	wantSize  atomic.Int64 // expected frame length of a "msg" event, -1 = any
	target    atomic.Int64 // msgs count that completes the connection's share
	group     atomic.Pointer[deliveryGroup]
	pings     atomic.Int64
	lastFrame atomic.Int64              // unix nanos of the last frame read
	lat       atomic.Pointer[Histogram] // emit-to-receipt delays of a timed broadcast (stamp.go), or nil
	wire      atomic.Int64              // bytes read from the TCP connection
	gets      atomic.Int64              // polling: GET responses received
	posts     atomic.Int64              // polling: POST responses received
	// expect, when set, holds the exact text of the n-th "msg" event
	// (n from 0 since the last reset): any other counts as bad.
	expect atomic.Pointer[[][]byte]

	paused  atomic.Bool
	closing chan struct{}
	done    chan struct{}
	err     error
	closed  atomic.Bool
}

// newConn upgrades nc to a WebSocket, completes the Engine.IO handshake and
// the namespace CONNECT within ctx, and starts the reader; it closes nc on
// failure.
func newConn(ctx context.Context, nc net.Conn, d *Dialer) (*Conn, error) {
	c := &Conn{
		nc:      nc,
		wbuf:    make([]byte, maxFrameHeader, 256),
		pending: make(map[uint64]func([]byte)),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	c.r = messageReader{br: bufio.NewReaderSize(countingReader{nc, &c.wire}, readBufferSize), limit: d.opts.ReadLimit,
		onControl: c.control, deflate: d.opts.Deflate}
	c.wantSize.Store(-1)
	// Bound the handshake: closing the socket unblocks its reads and writes.
	guard := context.AfterFunc(ctx, func() { nc.Close() })
	err := upgrade(nc, c.r.br, d.addr, d.path, d.opts.Deflate)
	if err == nil {
		err = c.handshake()
	}
	if fired := !guard(); fired || err != nil {
		nc.Close()
		if fired {
			cause := context.Cause(ctx)
			if errors.Is(cause, context.DeadlineExceeded) {
				cause = fmt.Errorf("%w after %v", cause, d.opts.HandshakeTimeout)
			}
			err = fmt.Errorf("%w (%v)", cause, err)
		}
		return nil, fmt.Errorf("handshake: %w", err)
	}
	c.lastFrame.Store(time.Now().UnixNano())
	go c.readLoop()
	return c, nil
}

// readBufferSize is the size of a connection's read buffer: a message that
// fits is handled in place, without a copy. A broadcast's frames come in
// bursts: 16 KB takes them in a quarter of the reads 4 KB would need
// (BenchmarkBroadcastDuplex: about 10 % less CPU per delivered 1 KB message,
// server included); the pages a connection never fills are never touched.
const readBufferSize = 16 << 10

// readText returns the next data message, which must be text.
func (c *Conn) readText() ([]byte, error) {
	op, b, err := c.r.next()
	if err != nil {
		return nil, err
	}
	if op != opText {
		return nil, fmt.Errorf("%w: binary message %q", ErrProtocol, b)
	}
	return b, nil
}

func (c *Conn) handshake() error {
	b, err := c.readText()
	if err != nil {
		return fmt.Errorf("loadgen: open packet: %w", err)
	}
	p, err := eio.DecodeText(b)
	if err != nil || p.Type != eio.Open {
		return fmt.Errorf("%w: want open packet, got %q", ErrProtocol, b)
	}
	hs, err := eio.ParseHandshake(p.Data)
	if err != nil {
		return err
	}
	c.SID = hs.SID
	if err := c.writeFrame(opText, frameConnect); err != nil {
		return err
	}
	for range 4 { // the reply may follow a ping
		b, err = c.readText()
		if err != nil {
			return fmt.Errorf("loadgen: CONNECT reply: %w", err)
		}
		switch {
		case string(b) == "2":
			if err := c.writeFrame(opText, framePong); err != nil {
				return err
			}
		case bytes.HasPrefix(b, []byte(`40{"sid":"`)):
			rest := b[len(`40{"sid":"`):]
			if i := bytes.IndexByte(rest, '"'); i > 0 {
				c.ID = string(rest[:i])
				return nil
			}
			return fmt.Errorf("%w: CONNECT reply %q", ErrProtocol, b)
		default:
			return fmt.Errorf("%w: want CONNECT reply, got %q", ErrProtocol, b)
		}
	}
	return fmt.Errorf("%w: no CONNECT reply", ErrProtocol)
}

// control answers a ping with a pong and a close frame with a close frame
// (then the reading ends); pongs are ignored.
func (c *Conn) control(op byte, payload []byte) error {
	switch op {
	case opPing:
		return c.writeFrame(opPong, payload)
	case opClose:
		code, reason := 1005, "" // 1005: no status code (RFC 6455 section 7.1.5)
		switch {
		case len(payload) == 1:
			return fmt.Errorf("%w: close frame with a 1-byte payload", ErrFrame)
		case len(payload) >= 2:
			code, reason = int(binary.BigEndian.Uint16(payload)), string(payload[2:])
		}
		_ = c.writeFrame(opClose, payload[:min(len(payload), 2)]) // echo the code; the socket closes next
		return fmt.Errorf("%w: close frame, status %d %q", ErrServerClosed, code, reason)
	}
	return nil
}

// writeFrame sends one masked frame of opcode op with payload, in one write.
func (c *Conn) writeFrame(op byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.send(op, append(c.wbuf[:maxFrameHeader], payload...))
}

// send frames and writes b, which holds maxFrameHeader reserved bytes then
// the payload; it keeps b as the write buffer. c.wmu must be held.
func (c *Conn) send(op byte, b []byte) error {
	c.wbuf = b
	if c.poll != nil {
		return c.pollSend(b[maxFrameHeader:])
	}
	payload := b[maxFrameHeader:]
	var hdr [maxFrameHeader]byte
	h := appendFrameHeader(hdr[:0], op, len(payload), rand.Uint32())
	start := maxFrameHeader - len(h)
	copy(b[start:], h)
	maskBytes(h[len(h)-4:], payload)
	_, err := c.nc.Write(b[start:])
	return err
}

func (c *Conn) readLoop() {
	defer close(c.done)
	for {
		op, b, err := c.r.next()
		if err != nil {
			c.fail(fmt.Errorf("loadgen: read: %w", err))
			c.nc.Close()
			return
		}
		c.lastFrame.Store(time.Now().UnixNano())
		if op != opText {
			c.others.Add(1)
			continue
		}
		if err := c.handle(b); err != nil {
			c.fail(err)
			c.nc.Close()
			return
		}
		if c.paused.Load() {
			<-c.closing // a stalled consumer reads nothing more until closed
			return
		}
	}
}

func (c *Conn) handle(b []byte) error {
	switch {
	case len(b) == 1 && b[0] == '2':
		c.pings.Add(1)
		return c.writeFrame(opText, framePong)
	case bytes.HasPrefix(b, msgPrefix):
		n := c.msgs.Add(1)
		if w := c.wantSize.Load(); (w >= 0 && int64(len(b)) != w) || !c.recordStamp(b) {
			c.badMsgs.Add(1)
		} else if exp := c.expect.Load(); exp != nil && (n > int64(len(*exp)) || !bytes.Equal(b, (*exp)[n-1])) {
			c.badMsgs.Add(1)
		}
		if n == c.target.Load() {
			if g := c.group.Load(); g != nil {
				g.finish()
			}
		}
		return nil
	case len(b) >= 3 && b[0] == '4' && b[1] == '3':
		i := 2
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		id, err := strconv.ParseUint(string(b[2:i]), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: ack %q", ErrProtocol, b)
		}
		c.mu.Lock()
		cb := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if cb == nil {
			c.others.Add(1)
			return nil
		}
		cb(b[i:])
		return nil
	case len(b) >= 2 && b[0] == '4' && b[1] == '1':
		return fmt.Errorf("%w: server disconnected the namespace", ErrProtocol)
	case len(b) >= 1 && b[0] == '1':
		return fmt.Errorf("%w: server closed the session", ErrProtocol)
	default:
		c.others.Add(1)
		return nil
	}
}

func (c *Conn) fail(err error) {
	if c.closed.Load() {
		return
	}
	c.err = err
}

// EmitAck sends the event whose JSON array (`["name",...]`) is args with a
// new ack id; onAck runs on the reader goroutine with the ack's JSON array
// (valid only during the call) and must not block.
func (c *Conn) EmitAck(args []byte, onAck func(data []byte)) error {
	c.mu.Lock()
	id := c.nextID
	c.nextID++
	c.pending[id] = onAck
	c.mu.Unlock()
	c.wmu.Lock()
	err := c.send(opText, append(strconv.AppendUint(append(c.wbuf[:maxFrameHeader], "42"...), id, 10), args...))
	c.wmu.Unlock()
	if err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return fmt.Errorf("loadgen: emit: %w", err)
	}
	return nil
}

// Call sends an event with an ack and waits for the ack, returning a copy of
// its JSON array.
func (c *Conn) Call(ctx context.Context, args []byte) ([]byte, error) {
	ch := make(chan []byte, 1)
	if err := c.EmitAck(args, func(d []byte) { ch <- bytes.Clone(d) }); err != nil {
		return nil, err
	}
	select {
	case d := <-ch:
		return d, nil
	case <-c.done:
		return nil, fmt.Errorf("loadgen: call: connection ended: %w", c.Err())
	case <-ctx.Done():
		return nil, fmt.Errorf("loadgen: call: %w", ctx.Err())
	}
}

// Msgs returns the "msg" events received since the last Reset, and how many
// of them had the wrong size.
func (c *Conn) Msgs() (n, bad int64) { return c.msgs.Load(), c.badMsgs.Load() }

// WireBytes returns the bytes read from the connection's socket so far
// (frames as sent by the server: compressed when they were).
func (c *Conn) WireBytes() int64 { return c.wire.Load() }

// HTTPRequests returns the polling GETs and POSTs answered so far, the
// handshake's included (0, 0 for a websocket connection).
func (c *Conn) HTTPRequests() (gets, posts int64) { return c.gets.Load(), c.posts.Load() }

// countingReader counts the bytes read through it into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (r countingReader) Read(p []byte) (int, error) {
	k, err := r.r.Read(p)
	r.n.Add(int64(k))
	return k, err
}

// Pings returns the number of pings answered.
func (c *Conn) Pings() int64 { return c.pings.Load() }

func (c *Conn) reset(size int, target int64, g *deliveryGroup, timed bool, expect *[][]byte) {
	if timed {
		c.lat.Store(new(Histogram))
	} else {
		c.lat.Store(nil)
	}
	c.group.Store(g)
	c.expect.Store(expect)
	c.target.Store(target)
	if size >= 0 {
		c.wantSize.Store(int64(len(`42["msg","`) + size + len(`"]`)))
	} else {
		c.wantSize.Store(-1)
	}
	c.msgs.Store(0)
	c.badMsgs.Store(0)
}

// Done is closed when the connection's reader has stopped.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the reader stopped (nil after Close).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Pause stops reading after the next frame (the connection becomes a slow
// consumer that never reads again: the server's writes to it back up).
func (c *Conn) Pause() { c.paused.Store(true) }

// Close closes the connection without a close handshake and waits for its reader.
func (c *Conn) Close() {
	if c.closed.Swap(true) {
		<-c.done
		return
	}
	close(c.closing)
	if c.poll != nil {
		c.pollClose()
		return
	}
	c.nc.Close()
	<-c.done
}
