package engine

import (
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// Transport names.
const (
	TransportPolling   = "polling"
	TransportWebsocket = "websocket"
)

// Options configures a Server. The zero value gives the reference's defaults,
// except OnSession, which is required.
type Options struct {
	PingInterval      time.Duration // default 25s
	PingTimeout       time.Duration // default 20s
	UpgradeTimeout    time.Duration // default 10s
	MaxHTTPBufferSize int64         // default 1e6: max POST body, websocket read limit, advertised maxPayload
	Transports        []string      // default {"polling", "websocket"}
	DisableUpgrades   bool          // default false (upgrades allowed)

	// AllowRequest vets handshake requests: a non-nil error refuses the
	// session with 403 {"code":4,"message":err.Error()}.
	AllowRequest func(r *http.Request) error

	// CORS adds CORS headers to polling responses and answers preflight
	// requests. nil: no CORS headers (reference default). When it restricts
	// origins, WebSocket requests from other origins are refused too.
	CORS *CORS

	// Cookie, when not nil, sets a cookie carrying the session id on the
	// handshake response of a polling session (engine.io's `cookie`
	// option), so that a load balancer can route a client's requests to the
	// server that holds its session. nil: no cookie (reference default).
	Cookie *Cookie

	// PerMessageDeflate enables WebSocket compression of messages of 1024
	// bytes or more (no context takeover; a message sent to many sessions
	// is compressed once for all). Default off (reference default).
	PerMessageDeflate bool

	// HTTPCompressionThreshold: polling responses of at least this many bytes
	// are gzip or deflate compressed when the request accepts it; 0 = 1024,
	// negative = never.
	HTTPCompressionThreshold int

	// MaxQueuedPackets bounds one session's outgoing queue (packets); 0 =
	// 8192. Over the bound the session is closed (ReasonTransportError,
	// ErrQueueFull).
	MaxQueuedPackets int

	// MaxQueuedBytes bounds the data of one session's packets that are
	// queued or being written but not yet accepted by the connection; 0 =
	// 2 MiB, negative = no byte bound. A Send that takes a session with
	// something unwritten over it closes the session (ReasonTransportError,
	// ErrQueueFull): a client that stops reading is disconnected rather than
	// piling up memory. One Send to a session with nothing unwritten always
	// fits, whatever its size.
	MaxQueuedBytes int64

	// Logger receives Debug logs of session lifecycles and Warn logs of
	// unexpected errors. nil: slog.Default().
	Logger *slog.Logger

	// OnSession is called once for every new session, synchronously, before
	// any packet of the session is delivered and before the open packet is
	// sent. It must call s.SetHandler. Required.
	OnSession func(s *Session)
}

// CORS configures Cross-Origin Resource Sharing headers, as the `cors` npm
// package that the reference uses.
type CORS struct {
	Origins        []string                 // allowed origins; "*" (or no Origins and no AllowOrigin) allows any
	AllowOrigin    func(origin string) bool // alternative to Origins
	Credentials    bool                     // Access-Control-Allow-Credentials: true (an allowed origin is then echoed; with any origin allowed, "*" is kept and browsers refuse credentialed reads)
	Methods        []string                 // default GET,HEAD,PUT,PATCH,POST,DELETE
	AllowedHeaders []string                 // default: echo Access-Control-Request-Headers
	MaxAge         time.Duration            // Access-Control-Max-Age when > 0
}

// Cookie configures the session cookie (Options.Cookie). The zero value
// gives engine.io's defaults: "io=<sid>; Path=/; HttpOnly; SameSite=Lax".
type Cookie struct {
	Name        string        // default "io"
	Path        string        // default "/"
	Domain      string        // default none
	MaxAge      time.Duration // Max-Age (whole seconds) when >= 1s; default none (a session cookie)
	Secure      bool          // Secure attribute
	NoHTTPOnly  bool          // leave HttpOnly out (engine.io's httpOnly: false)
	SameSite    http.SameSite // default http.SameSiteLaxMode; http.SameSiteDefaultMode leaves the attribute out
	Partitioned bool          // Partitioned attribute
}

// template returns the http.Cookie that c describes, without a value.
func (c *Cookie) template() *http.Cookie {
	hc := &http.Cookie{
		Name:        c.Name,
		Path:        c.Path,
		Domain:      c.Domain,
		MaxAge:      int(c.MaxAge / time.Second),
		Secure:      c.Secure,
		HttpOnly:    !c.NoHTTPOnly,
		SameSite:    c.SameSite,
		Partitioned: c.Partitioned,
	}
	if hc.Name == "" {
		hc.Name = "io"
	}
	if hc.Path == "" {
		hc.Path = "/"
	}
	if hc.SameSite == 0 {
		hc.SameSite = http.SameSiteLaxMode
	}
	return hc
}

const (
	defaultMaxQueuedPackets = 8192
	defaultMaxQueuedBytes   = 2 << 20
	defaultCompression      = 1024
	wsCompressionThreshold  = 1024
	// closeTimeout bounds a graceful close: how long a closing polling
	// session waits for a GET to carry its close packet (the reference's
	// closeTimeout), or a websocket session for its queue to be written.
	closeTimeout = 30 * time.Second
	// shutdownGrace bounds the graceful part of Server.Close: queues
	// written, close frames answered. Then every connection is cut.
	shutdownGrace = 250 * time.Millisecond
	// forcedCloseWait bounds how long Server.Close waits for goroutines
	// after its context is done and every session was cut.
	forcedCloseWait = 10 * time.Second
	// cutGrace bounds how long a closed session's websocket waits for a
	// write in progress before it is cut.
	cutGrace = 5 * time.Second
)

// withDefaults returns a copy of o with every zero field set to its default.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = 10 * time.Second
	}
	if c.MaxHTTPBufferSize <= 0 {
		c.MaxHTTPBufferSize = 1e6
	}
	if len(c.Transports) == 0 {
		c.Transports = []string{TransportPolling, TransportWebsocket}
	} else {
		c.Transports = slices.Clone(c.Transports)
	}
	if c.HTTPCompressionThreshold == 0 {
		c.HTTPCompressionThreshold = defaultCompression
	}
	if c.MaxQueuedPackets <= 0 {
		c.MaxQueuedPackets = defaultMaxQueuedPackets
	}
	if c.MaxQueuedBytes == 0 {
		c.MaxQueuedBytes = defaultMaxQueuedBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
