//go:build !unix

package engine

import (
	"bufio"
	"net"
)

// idleReader is not used where file descriptors cannot be polled directly:
// the reader waits in the websocket's Read.
type idleReader struct {
	br *bufio.Reader
}

func newIdleReader(net.Conn) *idleReader { return nil }

func (r *idleReader) Read([]byte) (int, error) { panic("unreachable") }
func (r *idleReader) tryStart() bool           { return false }
func (r *idleReader) wait()                    {}
