package engine

import (
	"context"

	"github.com/duplexio/duplex/protocol/eio"
)

// transport is one way of carrying packets: polling or websocket.
type transport interface {
	name() string
	// read blocks for the next received packets (one GET, or one frame).
	read(ctx context.Context) ([]eio.Packet, error)
	// batch returns how many of the queued packets the next write carries.
	batch(pkts []eio.Packet) int
	// write sends packets (one POST, or one frame each).
	write(ctx context.Context, pkts []eio.Packet) error
	// close releases the transport; it does not send a close packet.
	close()
}
