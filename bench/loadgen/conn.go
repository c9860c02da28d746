//go:build !js

package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

// ErrProtocol reports a frame the load generator did not expect from the server.
var ErrProtocol = errors.New("loadgen: unexpected frame")

var (
	framePong    = []byte("3")
	frameConnect = []byte("40")
	msgPrefix    = []byte(`42["msg"`)
)

// Conn is one benchmark connection: a WebSocket speaking Engine.IO v4 and
// Socket.IO v5 on the default namespace. Its reader goroutine answers pings,
// counts "msg" events and runs ack callbacks.
type Conn struct {
	ws  *websocket.Conn
	SID string // Engine.IO session id
	ID  string // Socket.IO socket id

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]func(data []byte)

	wmu  sync.Mutex
	wbuf []byte

	msgs      atomic.Int64 // "msg" events received since the last Reset
	badMsgs   atomic.Int64 // "msg" events of the wrong size
	others    atomic.Int64 // other frames (events, unknown acks)
	wantSize  atomic.Int64 // expected frame length of a "msg" event, -1 = any
	target    atomic.Int64 // msgs count that completes the connection's share
	group     atomic.Pointer[deliveryGroup]
	pings     atomic.Int64
	lastFrame atomic.Int64 // unix nanos of the last frame read

	paused  atomic.Bool
	closing chan struct{}
	done    chan struct{}
	err     error
	closed  atomic.Bool
}

func dial(ctx context.Context, d *Dialer) (*Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.HandshakeTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, d.url, &websocket.DialOptions{
		HTTPClient:      d.client(),
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, fmt.Errorf("loadgen: dial %s: %w", d.url, err)
	}
	ws.SetReadLimit(d.opts.ReadLimit)
	c := &Conn{ws: ws, pending: make(map[uint64]func([]byte)), closing: make(chan struct{}), done: make(chan struct{})}
	c.wantSize.Store(-1)
	// Bound the handshake reads: closing the socket unblocks them.
	guard := context.AfterFunc(ctx, func() { ws.CloseNow() })
	err = c.handshake()
	if fired := !guard(); fired || err != nil {
		ws.CloseNow()
		if fired {
			err = fmt.Errorf("%w after %v (%v)", context.DeadlineExceeded, d.opts.HandshakeTimeout, err)
		}
		return nil, fmt.Errorf("loadgen: handshake: %w", err)
	}
	c.lastFrame.Store(time.Now().UnixNano())
	go c.readLoop()
	return c, nil
}

func (c *Conn) handshake() error {
	_, b, err := c.ws.Read(context.Background())
	if err != nil {
		return err
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
	if err := c.ws.Write(context.Background(), websocket.MessageText, frameConnect); err != nil {
		return err
	}
	for range 4 { // the reply may follow a ping
		_, b, err = c.ws.Read(context.Background())
		if err != nil {
			return err
		}
		switch {
		case string(b) == "2":
			if err := c.ws.Write(context.Background(), websocket.MessageText, framePong); err != nil {
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

func (c *Conn) readLoop() {
	defer close(c.done)
	buf := make([]byte, 0, 512)
	for {
		typ, r, err := c.ws.Reader(context.Background())
		if err != nil {
			c.fail(err)
			return
		}
		buf, err = readInto(r, buf[:0])
		if err != nil {
			c.fail(err)
			return
		}
		c.lastFrame.Store(time.Now().UnixNano())
		if typ != websocket.MessageText {
			c.others.Add(1)
			continue
		}
		if err := c.handle(buf); err != nil {
			c.fail(err)
			c.ws.CloseNow()
			return
		}
		if c.paused.Load() {
			<-c.closing // a stalled consumer reads nothing more until closed
			return
		}
	}
}

func readInto(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (c *Conn) handle(b []byte) error {
	switch {
	case len(b) == 1 && b[0] == '2':
		c.pings.Add(1)
		return c.ws.Write(context.Background(), websocket.MessageText, framePong)
	case bytes.HasPrefix(b, msgPrefix):
		if w := c.wantSize.Load(); w >= 0 && int64(len(b)) != w {
			c.badMsgs.Add(1)
		}
		n := c.msgs.Add(1)
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
	c.wbuf = append(strconv.AppendUint(append(c.wbuf[:0], "42"...), id, 10), args...)
	err := c.ws.Write(context.Background(), websocket.MessageText, c.wbuf)
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

// Pings returns the number of pings answered.
func (c *Conn) Pings() int64 { return c.pings.Load() }

func (c *Conn) reset(size int, target int64, g *deliveryGroup) {
	c.group.Store(g)
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
	c.ws.CloseNow()
	<-c.done
}
