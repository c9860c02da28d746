//go:build interop && !js

package engine

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

// TestCookie: with Options.Cookie the polling handshake sets the session
// cookie as the reference's `cookie` option does (same attributes, the sid
// as its value), and no other response does: not a request of the session (a POST),
// not the 101 of a websocket handshake (engine.io sets it on the polling
// handshake only).
func TestCookie(t *testing.T) {
	cases := []struct {
		name string
		ref  any
		opt  *Cookie
	}{
		{"defaults", true, &Cookie{}},
		{"custom", map[string]any{"name": "lb", "path": "/x", "domain": "example.com", "maxAge": 3600,
			"secure": true, "httpOnly": false, "sameSite": "strict"},
			&Cookie{Name: "lb", Path: "/x", Domain: "example.com", MaxAge: time.Hour, Secure: true,
				NoHTTPOnly: true, SameSite: http.SameSiteStrictMode}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t, &Options{Cookie: c.opt}, false)
			ref := startReference(t, map[string]any{"cookie": c.ref})
			var got [2]*http.Cookie
			for i, base := range []string{ts.base, ref} {
				res := doURL(t, "GET", base+"?EIO=4&transport=polling", "", nil)
				sc := res.header.Values("Set-Cookie")
				if len(sc) != 1 {
					t.Fatalf("%s: Set-Cookie %q", base, sc)
				}
				ck, err := http.ParseSetCookie(sc[0])
				if err != nil {
					t.Fatal(err)
				}
				if sid := sidOf(t, res.body); ck.Value != sid {
					t.Fatalf("%s: cookie value %q, sid %q", base, ck.Value, sid)
				}
				ck.Value, ck.Raw = "", ""
				got[i] = ck
				// Nothing else sets it.
				if r := doURL(t, "POST", base+"?EIO=4&transport=polling&sid="+sidOf(t, res.body), "4x", nil); r.status != 200 || r.header.Get("Set-Cookie") != "" {
					t.Fatalf("%s: a POST of the session: %d, sets %q", base, r.status, r.header.Get("Set-Cookie"))
				}
				ws, hres := dialResponse(t, base, "EIO=4&transport=websocket")
				if v := hres.Header.Get("Set-Cookie"); v != "" {
					t.Fatalf("%s: websocket handshake sets %q", base, v)
				}
				ws.CloseNow()
			}
			if !reflect.DeepEqual(got[0], got[1]) {
				t.Fatalf("cookie %+v, the reference's %+v", *got[0], *got[1])
			}
		})
	}
}
