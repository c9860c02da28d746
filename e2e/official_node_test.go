//go:build !js

package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/duplexio/duplex/internal/nodetest"
)

// startNodeServer starts the official socket.io@4.8.4 server of
// interop/e2e/server.js and returns its origin.
func startNodeServer(t testing.TB, env ...string) (*nodetest.Process, string) {
	t.Helper()
	p := nodetest.Start(t, "e2e/server.js", env)
	line := p.Expect(t, "listening ", waitShort)
	return p, "http://127.0.0.1:" + strings.TrimPrefix(line, "listening ")
}

// runScenario loads page (official.html or wasm.html) with the query q and
// waits for the shared scenario's verdict.
func runScenario(t *testing.T, tb *tab, base, page string, q url.Values) {
	t.Helper()
	tb.navigate(base + "/testdata/" + page + "?" + q.Encode())
	res := waitJS[string](tb, "window.__result", waitLong)
	t.Logf("console of %s:\n%s", page, tb.console())
	if res != "pass" {
		t.Fatalf("scenario %s: %s", page, res)
	}
	if ex := tb.exceptions(); len(ex) > 0 {
		t.Fatalf("uncaught exceptions: %v", ex)
	}
}

// TestOfficialClientNodeServer is the harness's sanity check: the official
// browser bundle against the official Node server runs the shared scenario.
// If this fails, the harness or the scenario is wrong, not duplex.
func TestOfficialClientNodeServer(t *testing.T) {
	for _, transports := range []string{"", "polling", "websocket"} {
		t.Run("transports="+transports, func(t *testing.T) {
			_, origin := startNodeServer(t)
			assets := assetServer(t, nil)
			tb := newTab(t, "official")
			q := transportQuery(transports)
			q.Set("url", origin)
			runScenario(t, tb, assets.URL, "official.html", q)
		})
	}
}
