package client

import (
	"encoding/json"
	"errors"

	"github.com/duplexio/duplex/protocol/sio"
)

var (
	// ErrTimeout is given to an ack callback when no ack arrived within the Timeout.
	ErrTimeout = errors.New("client: operation has timed out")
	// ErrDisconnected is given to ack callbacks pending when the socket disconnects.
	ErrDisconnected = errors.New("client: socket has been disconnected")
	// ErrBufferFull is returned by Emit when the socket is not connected and
	// its send buffer already holds SendBufferSize packets.
	ErrBufferFull = errors.New("client: send buffer full")
	// ErrNotConnected is returned when an ack cannot be sent because the socket is disconnected.
	ErrNotConnected = errors.New("client: socket is not connected")
	// ErrAlreadyAcked is returned by a second Event.Ack.
	ErrAlreadyAcked = errors.New("client: event already acknowledged")
	// ErrNoAck is returned by Event.Ack when the sender asked for no ack.
	ErrNoAck = errors.New("client: event has no ack")
	// ErrConnectTimeout is given to OnConnectError when the connection did not open within Timeout.
	ErrConnectTimeout = errors.New("client: connect timeout")
	// ErrReservedEvent is returned by Emit for reserved event names ("connect", "disconnect", ...).
	ErrReservedEvent = sio.ErrReservedEvent
)

// ConnectError is a namespace connection refused by the server (a
// CONNECT_ERROR packet): Message and the optional Data of the server's error.
type ConnectError struct {
	Message string
	Data    json.RawMessage
}

func (e *ConnectError) Error() string { return "client: connect error: " + e.Message }
