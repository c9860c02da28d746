package cluster

import (
	"errors"

	"github.com/duplexio/duplex/server"
)

var (
	// ErrTimeout reports a request that did not get the answer of every
	// server in time. It also matches server.ErrTimeout.
	ErrTimeout error = timeoutError{}
	// ErrClosed reports an operation on a closed Adapter.
	ErrClosed = errors.New("cluster: adapter closed")
	// ErrMalformed reports a message that cannot be decoded.
	ErrMalformed = errors.New("cluster: malformed message")
)

type timeoutError struct{}

func (timeoutError) Error() string        { return "cluster: request timed out" }
func (timeoutError) Is(target error) bool { return target == server.ErrTimeout }
