package engine

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/duplexio/duplex/server/internal/ws"
)

// Close reasons given to Handler.OnClose: the reference's strings.
const (
	ReasonTransportClose = "transport close"      // the peer closed (websocket closed, polling close packet)
	ReasonTransportError = "transport error"      // read/write failure, aborted GET, queue full, protocol misuse
	ReasonPingTimeout    = "ping timeout"         // no pong within PingTimeout
	ReasonParseError     = "parse error"          // the peer sent bytes that are not Engine.IO packets
	ReasonForcedClose    = "forced close"         // Session.Close by the application
	ReasonServerShutdown = "server shutting down" // Server.Close
)

var (
	// ErrClosed is returned by Send on a closed (or closing) session.
	ErrClosed = errors.New("engine: session closed")
	// ErrQueueFull is returned by Send when the session's queue is over its
	// bound; the session is closed with ReasonTransportError.
	ErrQueueFull = errors.New("engine: send queue full")
	// ErrInvalidHeartbeat is the error given to OnClose when the client sends a
	// ping (in Engine.IO v4 only the server pings).
	ErrInvalidHeartbeat = errors.New("engine: invalid heartbeat direction")
	// ErrPollOverlap is the error given to OnClose when a client sends a
	// second GET or POST while one is in flight.
	ErrPollOverlap = errors.New("engine: overlapping polling requests")
	// ErrPollAborted is the error given to OnClose when the client abandons
	// its pending GET.
	ErrPollAborted = errors.New("engine: poll request closed prematurely")
	// ErrBinaryContent is the error given to OnClose when a POST carries
	// application/octet-stream (an Engine.IO v3 body).
	ErrBinaryContent = errors.New("engine: binary POST body in protocol v4")
	// ErrWebsocketProtocol is wrapped by the error given to OnClose when the
	// client breaks RFC 6455 (unmasked or malformed frames, invalid UTF-8 in
	// a text message...); the connection is closed with 1002 or 1007.
	ErrWebsocketProtocol = ws.ErrProtocol
	// ErrMessageTooBig is wrapped by the error given to OnClose when a
	// websocket message is over Options.MaxHTTPBufferSize; the connection is
	// closed with 1009.
	ErrMessageTooBig = ws.ErrMessageTooBig
)

// HTTP error codes of the reference (docs/protocol.md §1.9).
const (
	codeUnknownTransport   = 0
	codeUnknownSID         = 1
	codeBadHandshakeMethod = 2
	codeBadRequest         = 3
	codeForbidden          = 4
	codeUnsupportedVersion = 5
)

var errorMessages = [...]string{
	codeUnknownTransport:   "Transport unknown",
	codeUnknownSID:         "Session ID unknown",
	codeBadHandshakeMethod: "Bad handshake method",
	codeBadRequest:         "Bad request",
	codeForbidden:          "Forbidden",
	codeUnsupportedVersion: "Unsupported protocol version",
}

// writeError answers with the reference's JSON error body: status 400, or 403
// for codeForbidden. msg replaces the standard message when not empty.
func writeError(w http.ResponseWriter, code int, msg string) {
	if msg == "" {
		msg = errorMessages[code]
	}
	m, _ := json.Marshal(msg)
	body := make([]byte, 0, 32+len(m))
	body = append(body, `{"code":`...)
	body = strconv.AppendInt(body, int64(code), 10)
	body = append(body, `,"message":`...)
	body = append(body, m...)
	body = append(body, '}')
	status := http.StatusBadRequest
	if code == codeForbidden {
		status = http.StatusForbidden
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeEmpty answers with a status and no body.
func writeEmpty(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
}
