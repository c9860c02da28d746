package engine

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duplexio/duplex/client/internal/clog"
	"github.com/duplexio/duplex/protocol/eio"
)

// Transport names, as in the Engine.IO protocol.
const (
	Polling   = "polling"
	WebSocket = "websocket"
)

// Defaults used for zero Options fields.
const (
	DefaultPath      = "/engine.io/"
	DefaultReadLimit = 16 << 20 // bytes of one received message or polling response
)

// DefaultTransports is the order transports are tried in when Options.Transports is empty:
// start with polling, then upgrade to websocket (engine.io-client's order).
func DefaultTransports() []string { return []string{Polling, WebSocket} }

// Options configures a session. The zero value (or nil) uses the defaults.
type Options struct {
	// Path of the endpoint, default DefaultPath ("/engine.io/"); a trailing slash is added.
	Path string
	// Transports in order: the session starts with the first one and upgrades
	// to "websocket" when it is listed later and the server offers it.
	Transports []string
	// NoUpgrade keeps the session on its first transport.
	NoUpgrade bool
	// Query is added to every request (application data for the server);
	// a url.Values can be assigned to it.
	Query map[string][]string
	// Header is sent with every request natively; ignored under GOOS=js.
	Header map[string][]string
	// ReadLimit caps one received WebSocket message or polling response, default DefaultReadLimit.
	ReadLimit int64
	// Logger receives debug logs, default slog.Default() (under GOOS=js, a
	// small logger writing INFO and above to the console: see Logger).
	Logger Logger
	// OnMessages, when set, receives the session's message packets in place
	// of the Packets channel, which then only closes when the session ends
	// (after the last call): in order, the packets of one polling response
	// or WebSocket frame at a time, on the goroutine that read them. In the
	// browser a WebSocket frame is passed from the socket's JavaScript
	// callback: OnMessages must then return without waiting for other
	// goroutines. pkts is valid only during the call.
	OnMessages func(pkts []eio.Packet)
	// Loader is for client/wasm, the browser's io: under GOOS=js, when the
	// page has the loader (client/dist/socket.io.js) and Loader has the
	// methods JSValue() safejs.Value and Sync() bool, each WebSocket of the
	// session is handed to the loader's io.duplex.receive with JSValue()
	// (the loader's table of namespaces whose events it may dispatch
	// itself), and the loader calls Sync before it does (see
	// websocket_js.go). Ignored natively and when nil.
	Loader any
}

// Logger is what the client logs through: *slog.Logger has these methods,
// and is what a program normally sets. Under GOOS=js the default is not
// slog's, so that a wasm binary that never sets one does not link slog's
// handlers, time formatting and fmt (~250 KB).
type Logger interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if !strings.HasSuffix(c.Path, "/") {
		c.Path += "/"
	}
	if !strings.HasPrefix(c.Path, "/") {
		c.Path = "/" + c.Path
	}
	if len(c.Transports) == 0 {
		c.Transports = DefaultTransports()
	}
	if c.ReadLimit == 0 {
		c.ReadLimit = DefaultReadLimit
	}
	if c.Logger == nil {
		c.Logger = clog.Default()
	}
	return c
}

func (o *Options) validate() error {
	for _, t := range o.Transports {
		if t != Polling && t != WebSocket {
			return errors.New("engine: unknown transport " + strconv.Quote(t))
		}
	}
	return nil
}

func (o *Options) canUpgrade(from string, offered []string) bool {
	return !o.NoUpgrade && from == Polling && slices.Contains(o.Transports, WebSocket) && slices.Contains(offered, WebSocket)
}

// timestamp is engine.io-client's cache buster: a base36 time plus random characters.
func timestamp() string {
	s := strconv.FormatInt(time.Now().UnixMilli(), 36)
	if len(s) > 3 {
		s = s[3:]
	}
	return s + strconv.FormatInt(int64(rand.IntN(36*36*36)), 36)
}
