package prometheus

import (
	"github.com/duplexio/duplex/server"
	prom "github.com/prometheus/client_golang/prometheus"
)

// Collector is a prometheus.Collector over a server's Stats: each scrape
// takes one snapshot.
type Collector struct {
	srv *server.Server
}

// NewCollector returns the collector of srv's statistics.
func NewCollector(srv *server.Server) *Collector { return &Collector{srv: srv} }

func desc(name, help string, labels ...string) *prom.Desc {
	return prom.NewDesc("duplex_"+name, help, labels, nil)
}

var (
	dOpen        = desc("connections_open", "Engine.IO sessions open now, by current transport.", "transport")
	dAccepted    = desc("connections_accepted_total", "Engine.IO sessions opened, by handshake transport.", "transport")
	dClosed      = desc("connections_closed_total", "Engine.IO sessions closed, by transport at close.", "transport")
	dCloseReason = desc("connections_closed_by_reason_total", "Engine.IO sessions closed, by reason.", "reason")
	dUpgrades    = desc("upgrades_total", "Polling sessions upgraded to websocket.")
	dPacketsIn   = desc("packets_received_total", "Engine.IO packets read from clients.")
	dPacketsOut  = desc("packets_sent_total", "Engine.IO packets the application sent to clients.")
	dBytesIn     = desc("received_bytes_total", "Data bytes of the packets read from clients.")
	dBytesOut    = desc("sent_bytes_total", "Data bytes of the packets sent to clients.")
	dQueueFull   = desc("queue_full_closes_total", "Sessions closed because their send queue was full (slow consumers).")
	dVolatile    = desc("volatile_dropped_total", "Volatile sends dropped because the client was not ready.")
	dNspSockets  = desc("namespace_sockets", "Sockets connected to the namespace now.", "namespace")
	dNspRooms    = desc("namespace_rooms", "Rooms of the namespace now (socket id rooms excluded).", "namespace")
	dNspLost     = desc("namespace_lost_broadcasts_total", "Broadcasts the namespace's cluster adapter could not send to the other servers (only for adapters that count them).", "namespace")
	dConnected   = desc("sockets_connected_total", "Sockets that connected to a namespace.")
	dRefused     = desc("connects_refused_total", "Namespace connections refused by a middleware.")
	dDisconn     = desc("sockets_disconnected_total", "Sockets disconnected, by reason.", "reason")
	dEvents      = desc("events_received_total", "Events received from clients, by name (bounded: _other past the table).", "event")
	dAcksPending = desc("acks_pending", "Acknowledgements the server waits for now.")
	dAcksTimeout = desc("acks_timed_out_total", "Acknowledgements that timed out.")
	dRecAttempts = desc("recovery_attempts_total", "Connections that asked to recover a session.")
	dRecOK       = desc("recovery_successes_total", "Sessions recovered.")
	dHandler     = desc("handler_duration_seconds", "Time the handlers of one received event took (one event in 8 of each name is timed).")
	dAdapterReq  = desc("adapter_requests_total", "Adapter operations called, by operation.", "op")
	dAdapterErr  = desc("adapter_errors_total", "Adapter operations that failed, by operation.", "op")
)

var all = []*prom.Desc{
	dOpen, dAccepted, dClosed, dCloseReason, dUpgrades, dPacketsIn, dPacketsOut, dBytesIn, dBytesOut,
	dQueueFull, dVolatile, dNspSockets, dNspRooms, dNspLost, dConnected, dRefused, dDisconn, dEvents,
	dAcksPending, dAcksTimeout, dRecAttempts, dRecOK, dHandler, dAdapterReq, dAdapterErr,
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prom.Desc) {
	for _, d := range all {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prom.Metric) {
	st := c.srv.Stats()
	e := st.Engine
	counter := func(d *prom.Desc, v int64, labels ...string) {
		ch <- prom.MustNewConstMetric(d, prom.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prom.Desc, v int64, labels ...string) {
		ch <- prom.MustNewConstMetric(d, prom.GaugeValue, float64(v), labels...)
	}
	gauge(dOpen, e.OpenPolling, "polling")
	gauge(dOpen, e.OpenWebsocket, "websocket")
	counter(dAccepted, e.AcceptedPolling, "polling")
	counter(dAccepted, e.AcceptedWebsocket, "websocket")
	counter(dClosed, e.ClosedPolling, "polling")
	counter(dClosed, e.ClosedWebsocket, "websocket")
	for r, v := range e.Closed {
		counter(dCloseReason, v, r)
	}
	counter(dUpgrades, e.Upgrades)
	counter(dPacketsIn, e.PacketsIn)
	counter(dPacketsOut, e.PacketsOut)
	counter(dBytesIn, e.BytesIn)
	counter(dBytesOut, e.BytesOut)
	counter(dQueueFull, e.QueueFull)
	counter(dVolatile, e.VolatileDropped)
	for _, n := range st.Namespaces {
		gauge(dNspSockets, int64(n.Sockets), n.Name)
		if n.Rooms >= 0 {
			gauge(dNspRooms, int64(n.Rooms), n.Name)
		}
		if n.LostBroadcasts >= 0 {
			counter(dNspLost, n.LostBroadcasts, n.Name)
		}
	}
	counter(dConnected, st.Connected)
	counter(dRefused, st.ConnectRefused)
	for r, v := range st.Disconnected {
		counter(dDisconn, v, r)
	}
	for _, ev := range st.Events {
		counter(dEvents, ev.Count, ev.Name)
	}
	counter(dEvents, st.EventsOther, "_other")
	gauge(dAcksPending, st.AcksPending)
	counter(dAcksTimeout, st.AcksTimedOut)
	counter(dRecAttempts, st.RecoveryAttempts)
	counter(dRecOK, st.RecoverySuccesses)
	h := st.HandlerDuration
	buckets := make(map[float64]uint64, len(h.Bounds))
	var cum uint64
	for i, b := range h.Bounds {
		cum += uint64(h.Counts[i])
		buckets[b.Seconds()] = cum
	}
	ch <- prom.MustNewConstHistogram(dHandler, uint64(h.Count), h.Sum.Seconds(), buckets)
	for op, v := range st.Adapter {
		counter(dAdapterReq, v.Requests, op)
		counter(dAdapterErr, v.Errors, op)
	}
}
