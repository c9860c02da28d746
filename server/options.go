package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/duplexio/duplex/server/engine"
)

// Reference defaults (socket.io 4.8.4).
const (
	DefaultConnectTimeout           = 45 * time.Second
	DefaultMaxDisconnectionDuration = 2 * time.Minute
	// DefaultMaxBufferedPackets bounds the packets a namespace keeps for
	// connection state recovery (a duplex addition: the reference keeps
	// every packet of the last MaxDisconnectionDuration).
	DefaultMaxBufferedPackets = 10_000
)

// Options configures a Server. The zero value (or a nil *Options) gives the
// reference's defaults.
type Options struct {
	// Engine configures the Engine.IO server under the Socket.IO one:
	// transports, heartbeat, upgrade timeout, request and queue bounds
	// (MaxHTTPBufferSize, MaxQueuedPackets, MaxQueuedBytes), CORS,
	// compression, AllowRequest. It is passed to engine.NewServer as it is,
	// except that its Logger defaults to Logger and its OnSession is the
	// Server's own (a value set here is replaced).
	Engine engine.Options

	// ConnectTimeout closes an Engine.IO session that has joined no namespace
	// after this long (default 45 s).
	ConnectTimeout time.Duration
	// ConnectionStateRecovery enables connection state recovery (nil: off).
	ConnectionStateRecovery *RecoveryOptions
	// CleanupEmptyChildNamespaces removes a child namespace of OfRegexp or
	// OfFunc (and closes its adapter) when its last socket leaves; a later
	// client creates it again. Off by default, as in the reference.
	CleanupEmptyChildNamespaces bool
	// MaxAttachments bounds the binary attachments of one incoming packet
	// (default 10).
	MaxAttachments int
	// Adapter creates the adapter of each namespace (default NewMemoryAdapter).
	Adapter func(nsp *Namespace) Adapter
	// Logger receives the server's logs (nil: slog.Default()).
	Logger *slog.Logger
	// ServeClient, when set, serves the requests whose last path element ends
	// in ".js" or ".wasm" (the client bundle, wasm_exec.js, client.wasm).
	ServeClient http.Handler
}

// RecoveryOptions configures connection state recovery (docs/protocol.md §2.6).
// The zero value gives the reference's defaults.
type RecoveryOptions struct {
	// MaxDisconnectionDuration is how long a disconnected session and the
	// packets broadcast since are kept (default 2 min). Expired ones are
	// dropped when packets are stored and by a timer that runs while
	// something is kept (at most every minute).
	MaxDisconnectionDuration time.Duration
	// MaxBufferedPackets bounds the packets kept per namespace (default
	// DefaultMaxBufferedPackets): beyond it the oldest are dropped, and a
	// session whose last packet was dropped is not recovered (its client
	// gets a new session, as after an expiry).
	MaxBufferedPackets int
	// KeepMiddlewares runs the namespace middlewares for recovered sessions
	// too. By default they are skipped, as the reference's
	// skipMiddlewares: true.
	KeepMiddlewares bool
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.MaxAttachments <= 0 {
		c.MaxAttachments = 10
	}
	if c.Adapter == nil {
		c.Adapter = func(nsp *Namespace) Adapter { return NewMemoryAdapter(nsp) }
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if r := c.ConnectionStateRecovery; r != nil {
		rc := *r
		if rc.MaxDisconnectionDuration <= 0 {
			rc.MaxDisconnectionDuration = DefaultMaxDisconnectionDuration
		}
		if rc.MaxBufferedPackets <= 0 {
			rc.MaxBufferedPackets = DefaultMaxBufferedPackets
		}
		c.ConnectionStateRecovery = &rc
	}
	return c
}

func (o *Options) engineOptions(onSession func(*engine.Session)) *engine.Options {
	eo := o.Engine
	if eo.Logger == nil {
		eo.Logger = o.Logger
	}
	eo.OnSession = onSession
	return &eo
}
