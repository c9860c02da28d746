// Package scripted is the socket setup of interop/cluster/node.js for the
// duplex nodes of the tests (in the test process or the clusternode
// program), so that a client gets the same data on a Go node as on a Node
// node.
package scripted

import (
	"strings"

	"github.com/duplexio/duplex/server"
)

// Middleware returns a server middleware that gives a socket of node the
// data {name, node} (name from the handshake query) and joins it to the
// rooms of the query "rooms" (comma-separated), unless it was recovered
// (then its data and rooms are the recovered ones).
func Middleware(node string) func(s *server.Socket, next func(error)) {
	return func(s *server.Socket, next func(error)) {
		if !s.Recovered() {
			q := s.Handshake().Query
			s.Data().Store("name", q.Get("name"))
			s.Data().Store("node", node)
			if r := q.Get("rooms"); r != "" {
				s.Join(strings.Split(r, ",")...)
			}
		}
		next(nil)
	}
}
