package engine

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"strings"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
)

func TestAcceptedEncoding(t *testing.T) {
	for h, want := range map[string]string{
		"":                           "",
		"gzip":                       "gzip",
		"deflate":                    "deflate",
		"gzip, deflate, br":          "gzip",
		"deflate, gzip":              "gzip",
		"deflate;q=1, gzip;q=0.5":    "deflate",
		"gzip;q=0, deflate":          "deflate",
		"br":                         "",
		"*":                          "gzip",
		"identity":                   "",
		"GZIP;Q=0.8 , deflate;q=0.1": "gzip",
	} {
		if got := acceptedEncoding(h); got != want {
			t.Errorf("acceptedEncoding(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestPollingCompression(t *testing.T) {
	big := strings.Repeat("compress me ", 200)
	for _, tc := range []struct {
		enc       string
		threshold int
		data      string
		want      string
	}{
		{"gzip", 0, big, "gzip"},
		{"deflate", 0, big, "deflate"},
		{"gzip", 0, "small", ""},
		{"", 0, big, ""},
		{"gzip", -1, big, ""},
		{"gzip", 10, "0123456789", "gzip"},
	} {
		ts := newTestServer(t, &Options{HTTPCompressionThreshold: tc.threshold}, false)
		sid, _ := ts.handshake(t)
		s := ts.session(t)
		_ = s.Send(eio.TextMessage([]byte(tc.data)))
		h := map[string]string{}
		if tc.enc != "" {
			h["Accept-Encoding"] = tc.enc
		}
		res := ts.do(t, "GET", "EIO=4&transport=polling&sid="+sid, "", h)
		if got := res.header.Get("Content-Encoding"); got != tc.want {
			t.Fatalf("%+v: Content-Encoding %q", tc, got)
		}
		body := []byte(res.body)
		var r io.Reader = bytes.NewReader(body)
		var err error
		switch tc.want {
		case "gzip":
			r, err = gzip.NewReader(r)
		case "deflate":
			r, err = zlib.NewReader(r)
		}
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if string(plain) != "4"+tc.data {
			t.Fatalf("%+v: body %q", tc, plain)
		}
	}
}
