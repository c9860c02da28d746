package main

import (
	"log/slog"
	"net/http"
	"os"

	"github.com/duplexio/duplex/admin"
	duplexprom "github.com/duplexio/duplex/metrics/prometheus"
	"github.com/duplexio/duplex/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/crypto/bcrypt"
)

// opsOptions configure what the demo shows an operator.
type opsOptions struct {
	adminUI       string // directory of @socket.io/admin-ui's ui/dist ("" or missing: not served)
	adminUser     string
	adminPassword string // hashed with bcrypt at start (a demo default; a real server keeps only the hash)
}

// operations instruments srv for the Admin UI (namespace /admin), serves
// the UI at /admin/ when its files are installed (make deps) and the
// Prometheus metrics at /metrics. The returned function stops the admin.
func operations(mux *http.ServeMux, srv *server.Server, o opsOptions, log *slog.Logger) (stop func(), err error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(o.adminPassword), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	a, err := admin.Instrument(srv, admin.Options{
		Auth:   &admin.BasicAuth{Username: o.adminUser, PasswordHash: string(hash)},
		Logger: log,
	})
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(o.adminUI + "/index.html"); o.adminUI != "" && err == nil && !st.IsDir() {
		mux.Handle("/admin/", http.StripPrefix("/admin/", http.FileServer(http.Dir(o.adminUI))))
	} else {
		log.Warn("the Admin UI is not installed (make deps installs interop/admin): /admin/ not served", "dir", o.adminUI)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(duplexprom.NewCollector(srv))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return a.Close, nil
}
