package client

import (
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/client/internal/clog"
)

// Reference defaults (socket.io-client 4.8.4) used for zero Options fields.
const (
	DefaultPath                 = "/socket.io/"
	DefaultReconnectionDelay    = 1 * time.Second
	DefaultReconnectionDelayMax = 5 * time.Second
	DefaultRandomizationFactor  = 0.5
	DefaultTimeout              = 20 * time.Second // for the Engine.IO connection to open
	DefaultSendBufferSize       = 1000             // packets buffered per socket while disconnected
)

// Options configures a Manager (NewManager) and, with Socket, the socket
// Connect creates. Zero fields (or nil) are socket.io-client's defaults.
type Options struct {
	// Engine configures the Engine.IO connection (path, transports, upgrade,
	// query, headers, read limit). Zero fields are the engine's defaults,
	// except Path, whose default here is DefaultPath ("/socket.io/"), and
	// Logger, which defaults to Options.Logger. The query string of the URL
	// given to Connect or NewManager is added to Engine.Query.
	Engine engine.Options
	// NoReconnection disables automatic reconnection.
	NoReconnection bool
	// ReconnectionAttempts before giving up (OnReconnectFailed); 0 means unlimited.
	ReconnectionAttempts int
	// ReconnectionDelay is the first backoff delay, default 1 s; it doubles up to ReconnectionDelayMax (default 5 s).
	ReconnectionDelay    time.Duration
	ReconnectionDelayMax time.Duration
	// RandomizationFactor is the jitter of each delay (0.5: ±50 %), default
	// DefaultRandomizationFactor; a negative value disables jitter.
	RandomizationFactor float64
	// Timeout for the Engine.IO connection to open, default 20 s.
	Timeout time.Duration
	// Logger for debug logs and handler decode errors, default slog.Default()
	// (under GOOS=js a small console logger: see engine.Logger).
	Logger Logger
	// Socket configures the socket Connect returns (NewManager ignores it:
	// Manager.Socket takes its own SocketOptions).
	Socket SocketOptions
}

// Logger is what the client logs through; a *slog.Logger is one (see engine.Logger).
type Logger = engine.Logger

// SocketOptions configures one namespace socket of a Manager.
type SocketOptions struct {
	// Auth is the CONNECT payload (socket.handshake.auth on the server): a
	// value encoded as a JSON object (a struct, a map, json.RawMessage).
	Auth any
	// AuthFunc, when set, is called before every connection attempt and its result used as Auth.
	AuthFunc func() any
	// AckTimeout is the default Timeout of emits with an ack; 0 means none.
	AckTimeout time.Duration
	// Retries re-sends an emit up to Retries times until acknowledged (the
	// packet gets an ack id; use with AckTimeout). Emits then go out one at a time, in order.
	Retries int
	// SendBufferSize bounds the packets buffered while disconnected, default
	// DefaultSendBufferSize; Emit returns ErrBufferFull beyond it.
	SendBufferSize int
	// NoAutoConnect: Connect (or Manager.Socket) does not connect the socket; call Socket.Connect.
	NoAutoConnect bool
	// NonBlockingHandlers promises that the socket's handlers (events,
	// acks, connect, disconnect, connect errors) return promptly without
	// waiting for other goroutines: they are then called on the goroutine
	// that received the packet (in the browser, inside the WebSocket's
	// JavaScript callback) instead of after a switch to the Manager's
	// goroutine. The order of handlers is the same either way.
	NonBlockingHandlers bool
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Engine.Path == "" {
		c.Engine.Path = DefaultPath
	}
	if c.ReconnectionDelay <= 0 {
		c.ReconnectionDelay = DefaultReconnectionDelay
	}
	if c.ReconnectionDelayMax <= 0 {
		c.ReconnectionDelayMax = DefaultReconnectionDelayMax
	}
	if c.RandomizationFactor == 0 {
		c.RandomizationFactor = DefaultRandomizationFactor
	} else if c.RandomizationFactor < 0 {
		c.RandomizationFactor = 0
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Logger == nil {
		c.Logger = clog.Default()
	}
	if c.Engine.Logger == nil {
		c.Engine.Logger = c.Logger
	}
	return c
}

func (o *SocketOptions) withDefaults() SocketOptions {
	var c SocketOptions
	if o != nil {
		c = *o
	}
	if c.SendBufferSize <= 0 {
		c.SendBufferSize = DefaultSendBufferSize
	}
	return c
}
