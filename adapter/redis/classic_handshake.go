package redis

import (
	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// nodeHandshakeValue returns hs as a Node socket.io server writes a
// handshake in a fetchSockets answer (cluster.NodeHandshake), as a value of
// a classic JSON response.
func nodeHandshakeValue(hs *server.Handshake) any {
	v, err := notepack.FromJSON(cluster.NodeHandshake(hs), nil)
	if err != nil { // NodeHandshake writes valid JSON
		return &notepack.Map{}
	}
	return v
}
