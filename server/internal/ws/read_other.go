//go:build !unix

package ws

import (
	"errors"
	"io"
)

// setupRaw: the descriptor is not read directly here: RawConn stays nil
// and the reader blocks in Wait and ReadMessage.
func (c *Conn) setupRaw() {}

// ReadRaw is not available here (RawConn is nil).
func (c *Conn) ReadRaw(uintptr, bool) (byte, []byte, RawResult, error) {
	return 0, nil, RawError, errors.New("engine: websocket: no descriptor reads on this system")
}

func shutdownFD(uintptr) {}

// writeFD: no descriptor writes here (ReadInline is never used).
func writeFD(_ uintptr, p []byte, w io.Writer) error {
	_, err := w.Write(p)
	return err
}
