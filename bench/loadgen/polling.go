//go:build !js

package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// HTTP long-polling (Engine.IO v4, docs/protocol.md §2): a polling Conn
// keeps one GET pending (the server answers it with the packets queued for
// the client, separated by 0x1e) and sends its own packets with POSTs, one
// at a time, packets queued meanwhile going together in the next, as
// engine.io-client does. Responses are asked uncompressed (no
// Accept-Encoding): the figures are the polling path's, not gzip's.

// poller is the polling transport of a Conn: two keep-alive HTTP/1.1
// connections of the load generator's own client (httpconn.go), one for the
// GETs and one for the POSTs, since a GET stays parked on the server while
// POSTs go (browsers and net/http's Transport end up with two as well).
// The pollLoop goroutine owns get, the writeLoop goroutine post (the
// dialling goroutine both, during the handshake).
type poller struct {
	get, post  httpConn
	getReq     []byte // the whole GET request
	postPrefix []byte // a POST's head up to its Content-Length value
	postReq    []byte // the POST being sent
	url        string // of the requests, for errors
	ctx        context.Context
	stop       context.CancelFunc
	mu         sync.Mutex
	queue      []byte // packets for the next POST, separated by 0x1e
	wake       chan struct{}
	wdone      chan struct{} // closed when the writer ended
	c          *Conn         // counts the requests answered
}

// pollIdleTimeout is how long a polling connection may stay idle and still
// be reused: below the 5 s keep-alive timeout of Node's http server, so a
// connection the server is closing is never taken for a request (a POST is
// not retried: it would fail with "connection reset by peer").
const pollIdleTimeout = 4 * time.Second

// pollPath is the request target of a polling handshake.
const pollPath = "/socket.io/?EIO=4&transport=polling"

// dialPolling opens a polling session and completes the namespace CONNECT.
func (d *Dialer) dialPolling(ctx context.Context) (*Conn, error) {
	c := &Conn{
		pending: make(map[uint64]func([]byte)),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		wbuf:    make([]byte, maxFrameHeader, 256),
	}
	c.wantSize.Store(-1)
	pctx, stop := context.WithCancel(context.Background())
	p := &poller{ctx: pctx, stop: stop, wake: make(chan struct{}, 1), wdone: make(chan struct{}), c: c}
	dial := func(ctx context.Context) (net.Conn, error) { return d.dialer().DialContext(ctx, "tcp", d.addr) }
	idle := d.pollIdle
	if idle <= 0 {
		idle = pollIdleTimeout
	}
	limit := int(min(d.opts.ReadLimit, 1<<30))
	p.get = httpConn{dial: dial, limit: limit, idle: idle}
	p.post = httpConn{dial: dial, limit: limit, idle: idle}
	// Closing the sockets is what ends a request in flight when the Conn
	// closes (or its handshake times out): no goroutine per request.
	context.AfterFunc(pctx, func() {
		p.get.shutdown()
		p.post.shutdown()
	})
	c.poll = p
	base := "http://" + d.addr + pollPath // for errors
	hctx, cancel := context.WithTimeout(ctx, d.opts.HandshakeTimeout)
	defer cancel()
	guard := context.AfterFunc(hctx, stop) // the end of hctx ends the requests in flight
	cause := func() error {
		cause := context.Cause(hctx)
		if errors.Is(cause, context.DeadlineExceeded) {
			cause = fmt.Errorf("%w after %v", cause, d.opts.HandshakeTimeout)
		}
		return cause
	}
	fail := func(err error) (*Conn, error) {
		if fired := !guard(); fired {
			err = fmt.Errorf("%w (%w)", cause(), err)
		}
		stop()
		return nil, fmt.Errorf("loadgen: dial %s (polling): handshake: %w", base, err)
	}
	p.setTarget(d.addr, pollPath)
	body, err := p.do(hctx, false, nil)
	if err != nil {
		return fail(err)
	}
	pk, err := eio.DecodeText(body)
	if err != nil || pk.Type != eio.Open {
		return fail(fmt.Errorf("%w: want open packet, got %q", ErrProtocol, body))
	}
	hs, err := eio.ParseHandshake(pk.Data)
	if err != nil {
		return fail(err)
	}
	c.SID = hs.SID
	p.setTarget(d.addr, pollPath+"&sid="+url.QueryEscape(hs.SID))
	if _, err := p.do(hctx, true, frameConnect); err != nil {
		return fail(err)
	}
	for range 4 { // the reply may follow a ping
		body, err := p.do(hctx, false, nil)
		if err != nil {
			return fail(err)
		}
		for pkt := range bytes.SplitSeq(body, []byte{0x1e}) {
			switch {
			case string(pkt) == "2":
				if _, err := p.do(hctx, true, framePong); err != nil {
					return fail(err)
				}
			case bytes.HasPrefix(pkt, []byte(`40{"sid":"`)):
				rest := pkt[len(`40{"sid":"`):]
				i := bytes.IndexByte(rest, '"')
				if i <= 0 {
					return fail(fmt.Errorf("%w: CONNECT reply %q", ErrProtocol, pkt))
				}
				c.ID = string(rest[:i])
			case len(pkt) > 0 && pkt[0] == '6': // noop
			default:
				return fail(fmt.Errorf("%w: want CONNECT reply, got %q", ErrProtocol, pkt))
			}
		}
		if c.ID != "" {
			if fired := !guard(); fired {
				stop()
				return nil, fmt.Errorf("loadgen: dial %s (polling): handshake: %w", base, cause())
			}
			c.lastFrame.Store(time.Now().UnixNano())
			go c.pollLoop()
			go p.writeLoop(c)
			return c, nil
		}
	}
	return fail(fmt.Errorf("%w: no CONNECT reply", ErrProtocol))
}

// setTarget prepares the requests for target on the server at host: the
// whole GET, and a POST's head up to its Content-Length value. The body
// of a POST is the packets queued, text (engine.io-client's Content-Type).
func (p *poller) setTarget(host, target string) {
	p.url = "http://" + host + target
	p.getReq = []byte("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
	p.postPrefix = []byte("POST " + target + " HTTP/1.1\r\nHost: " + host +
		"\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ")
}

// do sends one request on the connection of its method and returns the
// response body (status 200 required), valid until the next request of
// that method. A POST's head and body go in one write, built in postReq.
func (p *poller) do(ctx context.Context, post bool, body []byte) ([]byte, error) {
	hc, req, method := &p.get, p.getReq, "GET"
	if post {
		hc, method = &p.post, "POST"
		req = append(p.postReq[:0], p.postPrefix...)
		req = strconv.AppendInt(req, int64(len(body)), 10)
		req = append(append(req, "\r\n\r\n"...), body...)
		p.postReq = req
	}
	status, b, err := hc.roundTrip(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, p.url, err)
	}
	if status != 200 {
		return nil, fmt.Errorf("%w: %s %s: status %d %q", ErrProtocol, method, p.url, status, b)
	}
	if post {
		p.c.posts.Add(1)
	} else {
		p.c.gets.Add(1)
	}
	return b, nil
}

// enqueue appends one packet to those of the next POST.
func (p *poller) enqueue(pkt []byte) {
	p.mu.Lock()
	if len(p.queue) > 0 {
		p.queue = append(p.queue, 0x1e)
	}
	p.queue = append(p.queue, pkt...)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// writeLoop POSTs the queued packets, one request at a time, until the
// connection closes; a failed POST ends the connection. The queue and the
// body being sent swap buffers: no allocation once both have grown.
func (p *poller) writeLoop(c *Conn) {
	defer close(p.wdone)
	var body []byte
	for {
		select {
		case <-p.wake:
		case <-p.ctx.Done():
			return
		}
		p.mu.Lock()
		body, p.queue = p.queue, body[:0]
		p.mu.Unlock()
		if len(body) == 0 {
			continue
		}
		if _, err := p.do(p.ctx, true, body); err != nil {
			if p.ctx.Err() == nil {
				c.fail(fmt.Errorf("loadgen: %w", err))
				p.stop()
			}
			return
		}
	}
}

// pollLoop keeps a GET pending and handles the packets of each response.
func (c *Conn) pollLoop() {
	defer close(c.done)
	p := c.poll
	for {
		body, err := p.do(p.ctx, false, nil)
		if err != nil {
			if p.ctx.Err() == nil {
				c.fail(fmt.Errorf("loadgen: %w", err))
				p.stop()
			}
			return
		}
		c.wire.Add(int64(len(body)))
		c.lastFrame.Store(time.Now().UnixNano())
		for pkt := range bytes.SplitSeq(body, []byte{0x1e}) {
			if len(pkt) > 0 && pkt[0] == '6' { // noop
				continue
			}
			if err := c.handle(pkt); err != nil {
				c.fail(err)
				p.stop()
				return
			}
		}
		if c.paused.Load() {
			<-c.closing
			return
		}
	}
}

// errPollingClosed is what a polling Conn's writes return after Close.
var errPollingClosed = errors.New("loadgen: polling connection closed")

// pollSend queues a packet (a write of a polling Conn).
func (c *Conn) pollSend(payload []byte) error {
	if c.poll.ctx.Err() != nil {
		return errPollingClosed
	}
	c.poll.enqueue(payload)
	return nil
}

// pollClose ends a polling Conn: the pending GET and POST are cancelled.
func (c *Conn) pollClose() {
	c.poll.stop()
	<-c.done
	<-c.poll.wdone
}
