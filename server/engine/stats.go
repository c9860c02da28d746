package engine

import (
	"errors"
	"sync/atomic"

	"github.com/duplexio/duplex/protocol/eio"
)

// Stats is a snapshot of a Server's counters (Server.Stats). The counters are
// always on: plain atomic additions on the paths they count, no lock and no
// allocation. Totals only grow from the Server's start; Open* are gauges.
// The fields are read one by one, not under one lock: a snapshot taken while
// sessions open and close may be off by the sessions of that instant.
type Stats struct {
	// OpenPolling and OpenWebsocket are the sessions open now, by their
	// current transport (an upgraded session counts as websocket).
	OpenPolling, OpenWebsocket int64
	// AcceptedPolling and AcceptedWebsocket count the sessions opened, by
	// the transport of their handshake.
	AcceptedPolling, AcceptedWebsocket int64
	// ClosedPolling and ClosedWebsocket count the sessions closed, by their
	// transport when they closed.
	ClosedPolling, ClosedWebsocket int64
	// Closed counts the sessions closed by reason: the Reason* constants;
	// any other reason given to Session.Close is counted under "other".
	Closed map[string]int64
	// Upgrades counts the polling sessions upgraded to websocket.
	Upgrades int64
	// PacketsIn and BytesIn count the packets read from clients (every
	// type: messages, pongs, ...) and the size of their data.
	PacketsIn, BytesIn int64
	// PacketsOut and BytesOut count the packets the application sent
	// (Send, and SendVolatile when taken) and the size of their data;
	// the engine's own pings and noops are not counted.
	PacketsOut, BytesOut int64
	// QueueFull counts the sessions closed because their queue went over
	// MaxQueuedPackets or MaxQueuedBytes (slow consumers).
	QueueFull int64
	// VolatileDropped counts the SendVolatile calls whose packets were
	// dropped because the session was not ready to write.
	VolatileDropped int64
}

// closeReasons are the reasons counted by name; the index of a reason in it
// is its counter in counters.closed (the last one is "other").
var closeReasons = [...]string{
	ReasonTransportClose, ReasonTransportError, ReasonPingTimeout,
	ReasonParseError, ReasonForcedClose, ReasonServerShutdown, "other",
}

// counters are a Server's statistics. Every method is an atomic add.
type counters struct {
	acceptedPolling, acceptedWebsocket atomic.Int64
	closedPolling, closedWebsocket     atomic.Int64
	closed                             [len(closeReasons)]atomic.Int64
	upgrades                           atomic.Int64
	packetsIn, bytesIn                 atomic.Int64
	packetsOut, bytesOut               atomic.Int64
	queueFull, volatileDropped         atomic.Int64
}

// accepted counts a session opened on transport.
func (c *counters) accepted(transport string) {
	if transport == TransportWebsocket {
		c.acceptedWebsocket.Add(1)
	} else {
		c.acceptedPolling.Add(1)
	}
}

// closedSession counts a session closed with reason (and err) while on
// websocket or polling.
func (c *counters) closedSession(websocket bool, reason string, err error) {
	if errors.Is(err, ErrQueueFull) {
		c.queueFull.Add(1)
	}
	if websocket {
		c.closedWebsocket.Add(1)
	} else {
		c.closedPolling.Add(1)
	}
	i := len(closeReasons) - 1
	for j, r := range closeReasons[:i] {
		if r == reason {
			i = j
			break
		}
	}
	c.closed[i].Add(1)
}

// upgraded counts an upgrade.
func (c *counters) upgraded() { c.upgrades.Add(1) }

// received counts a packet read from a client.
func (c *counters) received(p eio.Packet) {
	c.packetsIn.Add(1)
	c.bytesIn.Add(int64(len(p.Data)))
}

// sent counts packets the application sent.
func (c *counters) sent(pkts []eio.Packet) {
	c.packetsOut.Add(int64(len(pkts)))
	c.bytesOut.Add(dataLen(pkts))
}

// dropped counts a volatile send that was dropped.
func (c *counters) dropped() { c.volatileDropped.Add(1) }

// Stats returns a snapshot of the server's counters.
func (srv *Server) Stats() Stats {
	c := &srv.stats
	st := Stats{
		AcceptedPolling:   c.acceptedPolling.Load(),
		AcceptedWebsocket: c.acceptedWebsocket.Load(),
		ClosedPolling:     c.closedPolling.Load(),
		ClosedWebsocket:   c.closedWebsocket.Load(),
		Upgrades:          c.upgrades.Load(),
		PacketsIn:         c.packetsIn.Load(),
		BytesIn:           c.bytesIn.Load(),
		PacketsOut:        c.packetsOut.Load(),
		BytesOut:          c.bytesOut.Load(),
		QueueFull:         c.queueFull.Load(),
		VolatileDropped:   c.volatileDropped.Load(),
		Closed:            make(map[string]int64, len(closeReasons)),
	}
	for i, r := range closeReasons {
		st.Closed[r] = c.closed[i].Load()
	}
	st.OpenPolling = max(0, st.AcceptedPolling-st.Upgrades-st.ClosedPolling)
	st.OpenWebsocket = max(0, st.AcceptedWebsocket+st.Upgrades-st.ClosedWebsocket)
	return st
}
