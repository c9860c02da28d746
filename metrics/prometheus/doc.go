// Package prometheus exports a duplex server's statistics
// (server.Server.Stats) as Prometheus metrics: a prometheus.Collector to
// register with client_golang.
//
//	reg := prometheus.NewRegistry() // client_golang's
//	reg.MustRegister(duplexprom.NewCollector(srv))
//	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// It is a module of its own so that the core module does not depend on
// client_golang. Every metric is named duplex_*, counters end in _total,
// durations are in seconds, and every label takes a bounded set of values:
// transport (polling, websocket), reason (the reference's close reasons, or
// "other"), op (the adapter operations), namespace (the server's namespaces)
// and event (at most server.MaxEventNames names, then "_other"). See
// docs/operations.md for what each metric means and the queries that matter.
package prometheus
