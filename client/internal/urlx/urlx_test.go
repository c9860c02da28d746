package urlx

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

var seeds = []string{
	"http://localhost:3000", "https://example.com/admin?token=a%20b&x=1&x=2#frag", "ws://[::1]:3000/", "wss://[fe80::1%25eth0]:443/p",
	"http://user:p%40ss@host:80/a%2Fb?q", "HTTP://Host.Example/", "http://h:port", "http://h:1:2", "ws://h:1:2", "http://[::ffff:1.2.3.4]/",
	"http://[1.2.3.4]/", "http://[::1", "http://a[b]/", "http://h/%zz", "http://h/#%zz", "http://h/?a=%zz&b=1;c&&d", "http://h?",
	"http://%41/", "http://h%25/", "http://h\x01/", "mailto:x@y", "//h/p", "/p", "1http://h", ":foo", "http://[::]/", "http://[1::2::3]/",
	"http://[1:2:3:4:5:6:7:8]/", "http://[1:2:3:4:5:6:7:8:9]/", "http://[1:2:3:4:5:6:1.2.3.4]/", "http://[::1.2.3.04]/", "http://[12345::]/",
	"http://[::%25]/", "http://h/a b", "http://h/é?é=é#é", "http://h:/", "http://@h/", "http://a@b@h/", "ws://h/?" + "a&a&a",
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, "/socket.io/", "k", "v w")
	}
	f.Fuzz(func(t *testing.T, s, path, k, v string) {
		want, werr := url.Parse(s)
		got, err := Parse(s)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Parse(%q): %v; url.Parse: %v", s, err, werr)
		}
		if err != nil {
			return
		}
		same := func(what string) {
			t.Helper()
			if got.Scheme != want.Scheme || got.Host != want.Host || got.Path != want.Path || got.RawPath != want.RawPath ||
				got.RawQuery != want.RawQuery || got.ForceQuery != want.ForceQuery || got.Fragment != want.Fragment ||
				got.RawFragment != want.RawFragment || got.Opaque != want.Opaque || got.OmitHost != want.OmitHost ||
				(got.User == nil) != (want.User == nil) || got.User != nil && got.User.String() != want.User.String() {
				t.Fatalf("%s %q:\n got %#v\nwant %#v", what, s, got, want)
			}
			if got.String() != want.String() {
				t.Fatalf("%s %q: String %q, url's %q", what, s, got.String(), want.String())
			}
		}
		same("Parse")
		if q := ParseQuery(got.RawQuery); !reflect.DeepEqual(q, map[string][]string(want.Query())) {
			t.Fatalf("ParseQuery(%q) = %q; url: %q", got.RawQuery, q, want.Query())
		}
		// What the engine does to build its endpoints.
		q := want.Query()
		q.Add(k, v)
		got.Path, got.RawPath, want.Path, want.RawPath = path, "", path, ""
		got.RawQuery, want.RawQuery = Encode(q), q.Encode()
		same("endpoint of")
	})
}
