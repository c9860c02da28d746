package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/duplexio/duplex/server/engine"
)

// Handshake is what the client sent when it connected to a namespace: the
// Engine.IO handshake request and the CONNECT packet's auth payload.
type Handshake struct {
	Headers http.Header
	Query   url.Values
	// Auth is the CONNECT payload as raw JSON, "{}" when the client sent none.
	Auth    json.RawMessage
	Address string // the peer's IP address
	Time    time.Time
	URL     string // request URI of the Engine.IO handshake
	Secure  bool   // the handshake came over TLS
	Issued  int64  // Time in Unix milliseconds
	Host    string
}

// requestInfo is the part of the Handshake shared by every namespace of one
// Engine.IO session: the engine's, used as is (no copy per session).
type requestInfo = engine.RequestInfo

// newHandshake returns the Handshake of a socket of the session r that sent
// auth in its CONNECT.
func newHandshake(r *requestInfo, auth json.RawMessage) *Handshake {
	if len(auth) == 0 {
		auth = json.RawMessage("{}")
	}
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return &Handshake{
		Headers: r.Header(),
		Query:   r.Query(),
		Auth:    auth,
		Address: addr,
		Time:    r.Time,
		URL:     r.URL,
		Secure:  r.Secure,
		Issued:  r.Time.UnixMilli(),
		Host:    r.Host,
	}
}

// newID returns a random 20-character base64url identifier (socket ids and
// recovery session ids).
func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
