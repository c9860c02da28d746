//go:build js

package weburl

import (
	"reflect"
	"testing"
)

// TestParse: the URL forms the client is given (by the loader: origin and
// query as the browser writes them; by Go programs: anything) read as
// net/url reads them, except where the browser normalises (default port,
// host case), which names the same server.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want URL
	}{
		{"http://localhost:3000", URL{"http", "localhost:3000", "/", map[string][]string{}}},
		{"https://example.com/chat?x=1&y=a+b&x=2&z", URL{"https", "example.com", "/chat", map[string][]string{"x": {"1", "2"}, "y": {"a b"}, "z": {""}}}},
		{"ws://h:1/a%20b/?k=%C3%BC", URL{"ws", "h:1", "/a b/", map[string][]string{"k": {"ü"}}}},
		{"WSS://H:443/", URL{"wss", "h", "/", map[string][]string{}}},
		{"http://[::1]:8080/p", URL{"http", "[::1]:8080", "/p", map[string][]string{}}},
		{"ftp://h", URL{"ftp", "h", "/", map[string][]string{}}},
	} {
		got, err := Parse(c.raw)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.raw, err)
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", c.raw, *got, c.want)
		}
	}
	for _, bad := range []string{"", "%", "/chat", "http://", "http://h\x7f", "http://a b"} {
		if u, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", bad, *u)
		}
	}
}
