//go:build !js

package loadgen

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"
)

// DialOptions configures a Dialer. The zero value dials from 127.0.0.1 with
// a 1 MB read limit and a 30 s handshake timeout.
type DialOptions struct {
	// SourceAddrs is the number of loopback source addresses (127.0.0.1,
	// 127.0.0.2, ...) the connections are spread over, so that many
	// connections do not exhaust the ephemeral ports of one address.
	SourceAddrs int
	// ReadLimit is the largest WebSocket message, or polling response
	// body, accepted, in bytes.
	ReadLimit int64
	// HandshakeTimeout bounds the TCP connect, the WebSocket upgrade, the
	// open packet and the namespace CONNECT reply.
	HandshakeTimeout time.Duration
	// Deflate offers permessage-deflate without context takeover (RFC 7692);
	// the server must accept it, and its compressed messages are inflated.
	// The client's own messages go uncompressed.
	Deflate bool
	// Polling uses HTTP long-polling instead of a WebSocket (polling.go).
	Polling bool
}

// Dialer opens benchmark connections to one Socket.IO server.
type Dialer struct {
	addr    string // host:port
	path    string // request target of the upgrade
	url     string
	dialers []*net.Dialer // one per source address
	next    atomic.Uint32
	opts    DialOptions
	// pollIdle, when set, replaces pollIdleTimeout (tests).
	pollIdle time.Duration
}

// NewDialer returns a Dialer for the Socket.IO server at addr ("host:port"),
// default path /socket.io/, websocket transport.
func NewDialer(addr string, opts *DialOptions) *Dialer {
	var o DialOptions
	if opts != nil {
		o = *opts
	}
	o.SourceAddrs = min(max(o.SourceAddrs, 1), 250)
	if o.ReadLimit <= 0 {
		o.ReadLimit = 1 << 20
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 30 * time.Second
	}
	const path = "/socket.io/?EIO=4&transport=websocket"
	d := &Dialer{addr: addr, path: path, url: "ws://" + addr + path, opts: o}
	for i := range o.SourceAddrs {
		nd := &net.Dialer{Timeout: o.HandshakeTimeout}
		if o.SourceAddrs > 1 {
			nd.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
		}
		d.dialers = append(d.dialers, nd)
	}
	if o.Polling {
		d.url = "http://" + addr + pollPath
	}
	return d
}

// URL returns the WebSocket URL the Dialer connects to.
func (d *Dialer) URL() string { return d.url }

// Close releases the Dialer's resources. It holds none today: every
// socket belongs to a Conn (both transports) and closes with it.
func (d *Dialer) Close() {}

func (d *Dialer) dialer() *net.Dialer {
	return d.dialers[int(d.next.Add(1))%len(d.dialers)]
}

// Dial opens one connection, completes the WebSocket upgrade, the
// Engine.IO handshake and the CONNECT to the default namespace, and starts
// its reader.
func (d *Dialer) Dial(ctx context.Context) (*Conn, error) {
	if d.opts.Polling {
		return d.dialPolling(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.HandshakeTimeout)
	defer cancel()
	nc, err := d.dialer().DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return nil, fmt.Errorf("loadgen: dial %s: %w", d.url, err)
	}
	c, err := newConn(ctx, nc, d)
	if err != nil {
		return nil, fmt.Errorf("loadgen: dial %s: %w", d.url, err)
	}
	return c, nil
}
