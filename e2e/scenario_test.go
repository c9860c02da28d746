//go:build !js

package e2e

import (
	"net/url"
	"testing"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

var transportCases = []string{"", "polling", "websocket"}

// transportQuery asks the scenario page for transports and to check that it
// ends on the expected one (websocket after the upgrade by default).
func transportQuery(transports string) url.Values {
	q := url.Values{"expectTransport": {"websocket"}}
	if transports != "" {
		q.Set("transports", transports)
		q.Set("expectTransport", transports)
	}
	return q
}

// goServerScenarios runs the scenario page in a tab against a new Go server,
// once per transport case.
func goServerScenarios(t *testing.T, tabName, page string) {
	for _, tr := range transportCases {
		t.Run("transports="+tr, func(t *testing.T) {
			g := startGoServer(t, goServerOptions{})
			runScenario(t, newTab(t, tabName), g.origin, page, transportQuery(tr))
		})
	}
}

// TestOfficialClientGoServer: the official browser bundle of
// socket.io-client@4.8.4 against our server.
func TestOfficialClientGoServer(t *testing.T) {
	goServerScenarios(t, "official", "official.html")
}

// TestWasmClientGoServer: our wasm io (the loader at /socket.io/socket.io.js)
// against our server.
func TestWasmClientGoServer(t *testing.T) {
	goServerScenarios(t, "wasm", "wasm.html")
}

// TestWasmClientNodeServer: our wasm io against the official Node
// socket.io@4.8.4 server (cross-origin: the page and the client files come
// from a Go file server, the socket from Node).
func TestWasmClientNodeServer(t *testing.T) {
	for _, tr := range transportCases {
		t.Run("transports="+tr, func(t *testing.T) {
			_, origin := startNodeServer(t)
			assets := assetServer(t, clientFiles(t))
			q := transportQuery(tr)
			q.Set("url", origin)
			runScenario(t, newTab(t, "wasm"), assets.URL, "wasm.html", q)
		})
	}
}

// TestPollingOnlyServer: a server that offers only long-polling.
func TestPollingOnlyServer(t *testing.T) {
	g := startGoServer(t, goServerOptions{opts: &server.Options{Engine: engine.Options{Transports: []string{"polling"}}}})
	runScenario(t, newTab(t, "wasm"), g.origin, "wasm.html", url.Values{"expectTransport": {"polling"}})
}

// TestWebsocketRefusedFallback: every websocket request is refused (403, as a
// proxy that blocks upgrades would): the client stays on long-polling and
// everything works.
func TestWebsocketRefusedFallback(t *testing.T) {
	for _, page := range []string{"wasm.html", "official.html"} {
		t.Run(page, func(t *testing.T) {
			g := startGoServer(t, goServerOptions{refuseWS: true})
			runScenario(t, newTab(t, page), g.origin, page, url.Values{"expectTransport": {"polling"}})
			g.mu.Lock()
			refused := g.wsRefused
			g.mu.Unlock()
			if refused == 0 {
				t.Fatal("the client never tried websocket: the fallback was not exercised")
			}
			t.Logf("websocket requests refused: %d", refused)
		})
	}
}

// TestGoWasmPage: a page written in Go (e2e/testdata/gopage, package client
// compiled to wasm) runs the scenario against our server: emit, on, acks both
// ways, binary both ways.
func TestGoWasmPage(t *testing.T) {
	goServerScenarios(t, "gopage", "gopage.html")
}

// TestWasmClientCrossOrigin: a page of another origin loads the loader and
// the wasm client from our server (CORS on the client files) and connects to
// it cross-origin.
func TestWasmClientCrossOrigin(t *testing.T) {
	g := startGoServer(t, goServerOptions{})
	pages := assetServer(t, nil)
	q := transportQuery("")
	q.Set("url", g.origin)
	runScenario(t, newTab(t, "remote"), pages.URL, "wasm-remote.html", q)
}
