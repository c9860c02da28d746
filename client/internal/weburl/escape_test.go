//go:build !js

package weburl

import (
	"net/url"
	"testing"
)

// The escapers must write what net/url writes: the browser build builds its
// request URLs with them, the native build with net/url.

var seeds = []string{"", "/socket.io/", "/a b/ü?#%/", "/$&+,/:;=@", "x y+z~-_.", "a=b&c", "/*", "\x00\x7f\xff", "/%zz", "%41%4a%4A%"}

func FuzzEscapePath(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if p == "" || p[0] != '/' {
			p = "/" + p // the engine's paths start with a slash
		}
		want := (&url.URL{Path: p}).EscapedPath()
		if got := EscapePath(p); got != want {
			t.Fatalf("EscapePath(%q) = %q, net/url %q", p, got, want)
		}
	})
}

func FuzzEncodeQuery(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, s+"v", "k2")
	}
	f.Fuzz(func(t *testing.T, k1, v, k2 string) {
		q := map[string][]string{k1: {v, k2}, k2: {k1}, "EIO": {"4"}}
		if got, want := EncodeQuery(q), url.Values(q).Encode(); got != want {
			t.Fatalf("EncodeQuery(%q) = %q, net/url %q", q, got, want)
		}
		if got, want := QueryEscape(v), url.QueryEscape(v); got != want {
			t.Fatalf("QueryEscape(%q) = %q, net/url %q", v, got, want)
		}
	})
}

func FuzzUnescape(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := url.PathUnescape(s)
		if err != nil {
			return // invalid escapes: the browser keeps them, net/url refuses the URL
		}
		if got := Unescape(s); got != want {
			t.Fatalf("Unescape(%q) = %q, net/url %q", s, got, want)
		}
	})
}

func TestEncodeQueryEmpty(t *testing.T) {
	if got := EncodeQuery(nil); got != "" {
		t.Fatalf("EncodeQuery(nil) = %q", got)
	}
}
