package client

import (
	"log/slog"
	"net/url"
	"time"
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

// Options configures Connect: the Manager's fields and the socket's. Zero
// fields (or nil) are socket.io-client's defaults.
type Options struct {
	// Path of the server's endpoint, default DefaultPath ("/socket.io/").
	Path string
	// Transports in order, default {"polling", "websocket"}: start with the
	// first, upgrade to websocket when it is listed later.
	Transports []string
	// NoUpgrade keeps the connection on its first transport.
	NoUpgrade bool
	// Query is sent with every Engine.IO request (socket.handshake.query on the server);
	// the query string of the URL given to Connect or NewManager is added to it.
	Query url.Values
	// Header is sent with every request natively; ignored under GOOS=js.
	Header map[string][]string
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
	// NoAutoConnect: Connect (and Manager.Socket) do not connect; call Socket.Connect.
	NoAutoConnect bool
	// Logger for debug logs and handler decode errors, default slog.Default().
	Logger *slog.Logger

	// Socket options, used by Connect for its socket (see SocketOptions).
	Auth           any
	AuthFunc       func() any
	AckTimeout     time.Duration
	Retries        int
	SendBufferSize int
}

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
	// NoAutoConnect: Manager.Socket does not connect the socket.
	NoAutoConnect bool
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Path == "" {
		c.Path = DefaultPath
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
		c.Logger = slog.Default()
	}
	return c
}

func (o *Options) socketOptions() *SocketOptions {
	return &SocketOptions{Auth: o.Auth, AuthFunc: o.AuthFunc, AckTimeout: o.AckTimeout, Retries: o.Retries,
		SendBufferSize: o.SendBufferSize, NoAutoConnect: o.NoAutoConnect}
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
