//go:build interop && !js

package engine

import (
	"testing"
)

// TestCORSCredentialsAnyOrigin: Credentials with no Origins must not let any
// site read a credentialed response (issue 10 item 12). The Go server fails
// safe as the reference (the `cors` package) does: "*" with
// Allow-Credentials, which browsers refuse for credentialed requests.
func TestCORSCredentialsAnyOrigin(t *testing.T) {
	ts := newTestServer(t, &Options{CORS: &CORS{Credentials: true}}, false)
	ref := startReference(t, map[string]any{"cors": map[string]any{"credentials": true}})
	hdr := map[string]string{"Origin": "https://evil.example"}
	for _, m := range []string{"GET", "OPTIONS"} {
		got := ts.do(t, m, "EIO=4&transport=polling", "", hdr)
		want := doURL(t, m, ref+"?EIO=4&transport=polling", "", hdr)
		for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
			if got.header.Get(k) != want.header.Get(k) {
				t.Errorf("%s %s: %q, the reference %q", m, k, got.header.Get(k), want.header.Get(k))
			}
		}
		if o := got.header.Get("Access-Control-Allow-Origin"); o != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q with credentials", m, o)
		}
	}
}
