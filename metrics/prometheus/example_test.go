//go:build !js

package prometheus_test

import (
	"net/http"

	duplexprom "github.com/duplexio/duplex/metrics/prometheus"
	"github.com/duplexio/duplex/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Serve a server's statistics at /metrics, with the Go runtime's metrics.
func ExampleNewCollector() {
	io := server.New(nil)
	reg := prometheus.NewRegistry()
	reg.MustRegister(duplexprom.NewCollector(io), collectors.NewGoCollector())
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}
