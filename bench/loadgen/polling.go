//go:build !js

package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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

// poller is the polling transport of a Conn.
type poller struct {
	hc    *http.Client
	url   string // .../?EIO=4&transport=polling&sid=SID
	ctx   context.Context
	stop  context.CancelFunc
	mu    sync.Mutex
	queue [][]byte
	wake  chan struct{}
	wdone chan struct{} // closed when the writer ended
	c     *Conn         // counts the requests answered
}

// pollingClient returns the HTTP client of a polling Dialer: keep-alive
// connections from the Dialer's source addresses, no response compression.
func pollingClient(d *Dialer) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.dialer().DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 1 << 16,
		// Below the 5 s keep-alive timeout of Node's http server: a
		// connection the server is closing must not be taken for a POST
		// (not retried: it would fail with "connection reset by peer").
		IdleConnTimeout:    4 * time.Second,
		DisableCompression: true,
	}}
}

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
	p := &poller{hc: d.hc, ctx: pctx, stop: stop, wake: make(chan struct{}, 1), wdone: make(chan struct{}), c: c}
	c.poll = p
	base := "http://" + d.addr + "/socket.io/?EIO=4&transport=polling"
	hctx, cancel := context.WithTimeout(ctx, d.opts.HandshakeTimeout)
	defer cancel()
	fail := func(err error) (*Conn, error) {
		stop()
		return nil, fmt.Errorf("loadgen: dial %s (polling): handshake: %w", base, err)
	}
	body, err := p.do(hctx, http.MethodGet, base, nil)
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
	p.url = base + "&sid=" + hs.SID
	if _, err := p.do(hctx, http.MethodPost, p.url, frameConnect); err != nil {
		return fail(err)
	}
	for range 4 { // the reply may follow a ping
		body, err := p.do(hctx, http.MethodGet, p.url, nil)
		if err != nil {
			return fail(err)
		}
		for pkt := range bytes.SplitSeq(body, []byte{0x1e}) {
			switch {
			case string(pkt) == "2":
				if _, err := p.do(hctx, http.MethodPost, p.url, framePong); err != nil {
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
			c.lastFrame.Store(time.Now().UnixNano())
			go c.pollLoop()
			go p.writeLoop(c)
			return c, nil
		}
	}
	return fail(fmt.Errorf("%w: no CONNECT reply", ErrProtocol))
}

// do sends one request and returns the response body (status 200 required).
func (p *poller) do(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	res, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s %s: status %d %q", ErrProtocol, method, url, res.StatusCode, b)
	}
	if method == http.MethodGet {
		p.c.gets.Add(1)
	} else {
		p.c.posts.Add(1)
	}
	return b, nil
}

// enqueue queues a copy of one packet for the next POST.
func (p *poller) enqueue(pkt []byte) {
	p.mu.Lock()
	p.queue = append(p.queue, bytes.Clone(pkt))
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// writeLoop POSTs the queued packets, one request at a time, until the
// connection closes; a failed POST ends the connection.
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
		q := p.queue
		p.queue = nil
		p.mu.Unlock()
		if len(q) == 0 {
			continue
		}
		body = bytes.Join(q, []byte{0x1e})
		if _, err := p.do(p.ctx, http.MethodPost, p.url, body); err != nil {
			if p.ctx.Err() == nil {
				c.fail(fmt.Errorf("loadgen: POST: %w", err))
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
		body, err := p.do(p.ctx, http.MethodGet, p.url, nil)
		if err != nil {
			if p.ctx.Err() == nil {
				c.fail(fmt.Errorf("loadgen: GET: %w", err))
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
