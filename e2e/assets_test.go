//go:build !js

package e2e

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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
	pages := http.FileServer(http.Dir(filepath.Join(repoRoot(), "e2e", "testdata")))
	mux.Handle("/testdata/", http.StripPrefix("/testdata/", pages))
	// The same pages under a Content-Security-Policy that lets them run
	// their inline scripts and WebAssembly but not make functions from
	// source (no 'unsafe-eval').
	mux.Handle("/csp/testdata/", http.StripPrefix("/csp/testdata/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'")
		pages.ServeHTTP(w, r)
	})))
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	// Served as the reference server serves its bundle (socket.io's
	// serveClient): "public, max-age=0" and an ETag, so that a warm load
	// revalidates it (304) as it revalidates our loader.
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(b))
	mux.HandleFunc("/official/socket.io.min.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=0")
		w.Header().Set("ETag", etag)
		http.ServeFile(w, r, bundle)
	})
	if sio != nil {
		mux.Handle("/socket.io/", sio)
	}
	return mux
}
