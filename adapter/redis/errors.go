package redis

import (
	"errors"
	"fmt"

	"github.com/duplexio/duplex/server"
)

var (
	// ErrTimeout reports a request to the other servers that not all of them
	// answered in time (a server died, or does not answer this request). It
	// wraps server.ErrTimeout.
	ErrTimeout = fmt.Errorf("redis: %w", server.ErrTimeout)
	// ErrMalformed reports a message from Redis that could not be read; it
	// is logged and dropped, never fatal.
	ErrMalformed = errors.New("redis: malformed message")
)
