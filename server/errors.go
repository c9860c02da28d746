package server

import "errors"

var (
	// ErrDisconnected reports that the socket (or every socket of a broadcast)
	// disconnected before the operation completed, for example an ack that was
	// still awaited.
	ErrDisconnected = errors.New("server: socket disconnected")
	// ErrTimeout reports that an acknowledgement did not arrive within the
	// duration given to Timeout.
	ErrTimeout = errors.New("server: operation has timed out")
	// ErrAlreadyAcked reports a second Ack for the same event.
	ErrAlreadyAcked = errors.New("server: event already acknowledged")
	// ErrNoAck reports an Ack for an event whose sender did not ask for one.
	ErrNoAck = errors.New("server: event has no ack")
	// ErrServerClosed is returned by a second Server.Close.
	ErrServerClosed = errors.New("server: closed")
)

// ConnectError refuses a namespace connection from a middleware. The client
// receives a CONNECT_ERROR packet {"message": Message, "data": Data}; the data
// key is omitted when Data is nil. Any other error returned to a middleware's
// next refuses the connection with its Error() text as the message.
type ConnectError struct {
	Message string
	Data    any
}

func (e *ConnectError) Error() string { return e.Message }
