//go:build !js

package e2e

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/duplexio/duplex/internal/nodetest"
)

// assetServer serves the test pages under /testdata/, the official browser
// bundle of socket.io-client@4.8.4 at /official/socket.io.min.js, and
// everything under /socket.io/ with sio (our server, or only the client
// files when the socket server is elsewhere). It stops when the test ends.
func assetServer(t testing.TB, sio http.Handler) *httptest.Server {
	t.Helper()
	mux := assetMux(t, sio)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func assetMux(t testing.TB, sio http.Handler) *http.ServeMux {
	t.Helper()
	bundle := filepath.Join(nodetest.Root(t), "node_modules", "socket.io-client", "dist", "socket.io.min.js")
	mux := http.NewServeMux()
	mux.Handle("/testdata/", http.StripPrefix("/testdata/", http.FileServer(http.Dir(filepath.Join(repoRoot(), "e2e", "testdata")))))
	mux.HandleFunc("/official/socket.io.min.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, bundle)
	})
	if sio != nil {
		mux.Handle("/socket.io/", sio)
	}
	return mux
}
