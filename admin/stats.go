package admin

import (
	"os"
	"time"

	"github.com/duplexio/duplex/server/engine"
	"golang.org/x/crypto/bcrypt"
)

// aggregatedEvent is one entry of server_stats' aggregatedEvents: what
// happened during the second starting at Timestamp (Unix ms).
type aggregatedEvent struct {
	Timestamp int64  `json:"timestamp"`
	Type      string `json:"type"`
	SubType   string `json:"subType,omitempty"`
	Count     int64  `json:"count"`
}

// aggregator turns successive engine statistics into the reference's
// aggregated events (rawConnection, rawDisconnection by reason, packetsIn,
// packetsOut, bytesIn, bytesOut): the differences between two samples, one
// sample per second.
type aggregator struct {
	prev   engine.Stats
	events []aggregatedEvent
}

func newAggregator(st engine.Stats) *aggregator { return &aggregator{prev: st} }

// sample adds what happened since the previous sample, stamped with the
// second before now.
func (g *aggregator) sample(st engine.Stats, now time.Time) {
	ts := now.Add(-time.Second).Truncate(time.Second).UnixMilli()
	add := func(typ, sub string, d int64) {
		if d > 0 {
			g.events = append(g.events, aggregatedEvent{Timestamp: ts, Type: typ, SubType: sub, Count: d})
		}
	}
	p := g.prev
	add("rawConnection", "", st.AcceptedPolling+st.AcceptedWebsocket-p.AcceptedPolling-p.AcceptedWebsocket)
	for _, r := range sortedKeys(st.Closed) {
		add("rawDisconnection", r, st.Closed[r]-p.Closed[r])
	}
	add("packetsIn", "", st.PacketsIn-p.PacketsIn)
	add("packetsOut", "", st.PacketsOut-p.PacketsOut)
	add("bytesIn", "", st.BytesIn-p.BytesIn)
	add("bytesOut", "", st.BytesOut-p.BytesOut)
	g.prev = st
}

// take returns the events aggregated so far and forgets them.
func (g *aggregator) take() []aggregatedEvent {
	ev := g.events
	g.events = nil
	if ev == nil {
		ev = []aggregatedEvent{}
	}
	return ev
}

type namespaceDetails struct {
	Name         string `json:"name"`
	SocketsCount int    `json:"socketsCount"`
}

// serverStats is the payload of server_stats.
type serverStats struct {
	ServerID            string             `json:"serverId"`
	Hostname            string             `json:"hostname"`
	PID                 int                `json:"pid"`
	Uptime              float64            `json:"uptime"` // seconds since Instrument
	ClientsCount        int64              `json:"clientsCount"`
	PollingClientsCount int64              `json:"pollingClientsCount"`
	AggregatedEvents    []aggregatedEvent  `json:"aggregatedEvents"`
	Namespaces          []namespaceDetails `json:"namespaces"`
}

// emitStats sends server_stats to the admins.
func (a *Admin) emitStats(g *aggregator) {
	st := a.srv.Stats()
	out := serverStats{
		ServerID:            a.opts.ServerID,
		Hostname:            a.hostname,
		PID:                 os.Getpid(),
		Uptime:              time.Since(a.start).Seconds(),
		ClientsCount:        st.Engine.OpenPolling + st.Engine.OpenWebsocket,
		PollingClientsCount: st.Engine.OpenPolling,
		AggregatedEvents:    g.take(),
		Namespaces:          make([]namespaceDetails, 0, len(st.Namespaces)),
	}
	for _, n := range st.Namespaces {
		out.Namespaces = append(out.Namespaces, namespaceDetails{Name: n.Name, SocketsCount: n.Sockets})
	}
	if err := a.nsp.Emit("server_stats", out); err != nil {
		a.log.Warn("admin: server_stats", "error", err)
	}
}

// bcryptCost checks that hash is a bcrypt hash.
func bcryptCost(hash string) (int, error) { return bcrypt.Cost([]byte(hash)) }
