package engine

import (
	"errors"
)

// Reasons a session ends, with socket.io-client's wording.
const (
	ReasonTransportClose = "transport close" // the server closed the session or the connection
	ReasonTransportError = "transport error" // a request or the connection failed
	ReasonPingTimeout    = "ping timeout"    // no ping within pingInterval + pingTimeout
	ReasonParseError     = "parse error"     // the server sent something that is not Engine.IO v4
	ReasonForcedClose    = "forced close"    // Close was called
)

var (
	// ErrClosed is returned by Send on a closed session.
	ErrClosed = errors.New("engine: session closed")
	// ErrHandshake reports a failed Engine.IO handshake.
	ErrHandshake = errors.New("engine: handshake failed")
	// ErrUpgrade reports a failed upgrade probe (the session stays on polling).
	ErrUpgrade = errors.New("engine: upgrade failed")
	// ErrHTTPStatus reports a polling request answered with a status other than 200.
	ErrHTTPStatus = errors.New("engine: unexpected HTTP status")
)

// CloseError is why a session ended: Reason is one of the Reason constants,
// Err the underlying error if any.
type CloseError struct {
	Reason string
	Err    error
}

func (e *CloseError) Error() string {
	if e.Err == nil {
		return "engine: " + e.Reason
	}
	return "engine: " + e.Reason + ": " + e.Err.Error()
}

func (e *CloseError) Unwrap() error { return e.Err }

// asCloseError returns the CloseError err is or wraps.
func asCloseError(err error) (*CloseError, bool) {
	var ce *CloseError
	ok := errors.As(err, &ce)
	return ce, ok
}
