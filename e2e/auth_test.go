//go:build !js

package e2e

import (
	"net/url"
	"testing"
)

// TestAuth: the CONNECT payload from io(url, {auth}) reaches the server's
// handshake, as a value and as a function auth(cb), for our wasm io and for
// the official bundle.
func TestAuth(t *testing.T) {
	for _, page := range []string{"drive.html", "drive-official.html"} {
		t.Run(page, func(t *testing.T) {
			g := startGoServer(t, goServerOptions{})
			tb := newTab(t, page)
			tb.navigate(g.origin + "/testdata/" + page + "?" + url.Values{"opts": {`{"auth":{"token":"abc","n":1}}`}}.Encode())
			tb.waitConsole("log: connect ", waitLong)
			line := g.waitEvent(`connection `, waitShort)
			if want := ` auth={"token":"abc","n":1}`; !hasSuffix(line, want) {
				t.Fatalf("server saw %q, want the suffix %q", line, want)
			}
			eval[bool](tb, `window.s2 = io(location.origin, {forceNew: true, auth: (cb) => cb({token: "from-fn"})}),
				s2.on("connect", () => console.log("s2 connected")), true`)
			tb.waitConsole("s2 connected", waitShort)
			found := false
			for _, l := range g.recorded() {
				if hasSuffix(l, ` auth={"token":"from-fn"}`) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no connection with the function's auth; server saw %q", g.recorded())
			}
		})
	}
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}
