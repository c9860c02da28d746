//go:build !js

package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/http"
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
	// ReadLimit is the largest WebSocket message accepted, in bytes.
	ReadLimit int64
	// HandshakeTimeout bounds the WebSocket upgrade, the open packet and the
	// namespace CONNECT reply.
	HandshakeTimeout time.Duration
}

// Dialer opens benchmark connections to one Socket.IO server.
type Dialer struct {
	url     string
	clients []*http.Client
	next    atomic.Uint32
	opts    DialOptions
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
	d := &Dialer{url: fmt.Sprintf("ws://%s/socket.io/?EIO=4&transport=websocket", addr), opts: o}
	for i := range o.SourceAddrs {
		nd := &net.Dialer{Timeout: o.HandshakeTimeout}
		if o.SourceAddrs > 1 {
			nd.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
		}
		d.clients = append(d.clients, &http.Client{Transport: &http.Transport{
			Proxy:             nil,
			DialContext:       nd.DialContext,
			DisableKeepAlives: true,
		}})
	}
	return d
}

// URL returns the WebSocket URL the Dialer connects to.
func (d *Dialer) URL() string { return d.url }

// Close releases the Dialer's idle HTTP resources.
func (d *Dialer) Close() {
	for _, c := range d.clients {
		c.CloseIdleConnections()
	}
}

func (d *Dialer) client() *http.Client {
	return d.clients[int(d.next.Add(1))%len(d.clients)]
}

// Dial opens one connection, completes the Engine.IO handshake and the
// CONNECT to the default namespace, and starts its reader.
func (d *Dialer) Dial(ctx context.Context) (*Conn, error) {
	return dial(ctx, d)
}
