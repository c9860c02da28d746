package engine

import (
	"bufio"
	"errors"
	"net/http"
	"strings"
	"testing"
)

const okGET = "GET /engine.io/?EIO=4&transport=polling&sid=abc HTTP/1.1\r\nHost: localhost:3000\r\nAccept-Encoding: gzip, deflate\r\nOrigin: http://a.example\r\n\r\n"

// TestParseHeadAccepts: the heads Serve answers, and what it reads of them.
func TestParseHeadAccepts(t *testing.T) {
	h, err := parseHead(okGET)
	if err != nil {
		t.Fatal(err)
	}
	if h.post || h.path != "/engine.io/" || h.query != "EIO=4&transport=polling&sid=abc" || h.contentLength != 0 ||
		h.acceptEncoding != "gzip, deflate" || h.origin != "http://a.example" || h.close {
		t.Fatalf("GET: %+v", h)
	}
	h, err = parseHead("POST /engine.io/?sid=x HTTP/1.1\r\nhost: a\r\ncontent-length: 12\r\nContent-Type:  text/plain;charset=UTF-8 \r\nContent-Type: x\r\nconnection: keep-alive, Close\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if !h.post || h.contentLength != 12 || h.contentType != "text/plain;charset=UTF-8" || !h.close {
		t.Fatalf("POST: %+v", h)
	}
	// Connection options compare as net/http's: ASCII letters in any case,
	// nothing else folded (U+017F is not an 's').
	h, err = parseHead("GET / HTTP/1.1\r\nHost: a\r\nConnection: clo\u017fe\r\n\r\n")
	if err != nil || h.close {
		t.Fatalf("Connection: clo\u017fe: %+v %v", h, err)
	}
}

// TestParseHeadRejects: every kind of head parseHead refuses (the request
// then goes to net/http whole), with its reason.
func TestParseHeadRejects(t *testing.T) {
	post := func(fields string) string {
		return "POST /engine.io/?sid=x HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n"
	}
	get := func(fields string) string {
		return "GET /engine.io/?sid=x HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n"
	}
	for _, c := range []struct {
		head string
		want error
	}{
		{"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", errHeadMethod},
		{"get / HTTP/1.1\r\nHost: a\r\n\r\n", errHeadMethod},
		{"OPTIONS / HTTP/1.1\r\nHost: a\r\n\r\n", errHeadMethod},
		{"GET /\r\nHost: a\r\n\r\n", errHeadLine},
		{"GET / HTTP/1.0\r\nHost: a\r\n\r\n", errHeadVersion},
		{"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", errHeadVersion},
		{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", errHeadVersion},
		{"GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET * HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET /a#f HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET /% HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET /engine%2Eio/?a=%zz HTTP/1.1\r\nHost: a\r\n\r\n", errHeadTarget},
		{"GET / HTTP/1.1\nHost: a\r\n\r\n", errHeadBareCRLF},
		{get("X: a\nY: b\r\n"), errHeadBareCRLF},
		{get("X: a\rY: b\r\n"), errHeadBareCRLF},
		{get("X: a\r\n b\r\n"), errHeadFold},
		{get("X: a\r\n\tb\r\n"), errHeadFold},
		{get("X : a\r\n"), errHeadField},
		{get(": a\r\n"), errHeadField},
		{get("X\r\n"), errHeadField},
		{get("X(: a\r\n"), errHeadField},
		{get("X: a\x01b\r\n"), errHeadField},
		{get("X: a\x7f\r\n"), errHeadField},
		{get("X: a\x00\r\n"), errHeadField},
		{get(strings.Repeat("X: a\r\n", maxHeadFields)), errHeadFields},
		{"GET / HTTP/1.1\r\n\r\n", errHeadHost},
		{get("Host: b\r\n"), errHeadHost},
		{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", errHeadHost},
		{"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", errHeadHost},
		{get("Content-Length: 0\r\n"), errHeadLength},
		{post(""), errHeadLength},
		{post("Content-Length: 1\r\nContent-Length: 1\r\n"), errHeadLength},
		{post("Content-Length: +1\r\n"), errHeadLength},
		{post("Content-Length: 1 1\r\n"), errHeadLength},
		{post("Content-Length: -1\r\n"), errHeadLength},
		{post("Content-Length: 0x10\r\n"), errHeadLength},
		{post("Content-Length: \r\n"), errHeadLength},
		{post("Content-Length: 1234567890123456789\r\n"), errHeadLength},
		{post("Transfer-Encoding: chunked\r\n"), errHeadFraming},
		{post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"), errHeadFraming},
		{post("Content-Length: 3\r\ntransfer-encoding: identity\r\n"), errHeadFraming},
		{post("Content-Length: 3\r\nExpect: 100-continue\r\n"), errHeadExpect},
		{get("Upgrade: websocket\r\nConnection: Upgrade\r\n"), errHeadUpgrade},
		{get("Connection: keep-alive, upgrade\r\n"), errHeadUpgrade},
		{get("HTTP2-Settings: AAA\r\n"), errHeadUpgrade},
		{get("X: " + strings.Repeat("a", maxHeadBytes) + "\r\n"), errHeadTooLong},
		{"GET / HTTP/1.1\r\nHost: a\r\n", errHeadIncomplet},
	} {
		_, err := parseHead(c.head)
		if !errors.Is(err, c.want) {
			t.Errorf("parseHead(%q) = %v, want %v", c.head, err, c.want)
		}
	}
}

// TestHeadEndBareLF: a head with bare LF line endings is seen as never
// complete, so it goes to net/http (which reads it) without waiting.
func TestHeadEndBareLF(t *testing.T) {
	for _, b := range []string{"GET / HTTP/1.1\nHost: a\n\n", "GET / HTTP/1.1\r\nHost: a\n", "\n"} {
		if !bareLF([]byte(b)) {
			t.Errorf("bareLF(%q) = false", b)
		}
	}
	for _, b := range []string{"GET / HTTP/1.1\r\nHost: a\r\n", "GET / HT", ""} {
		if bareLF([]byte(b)) {
			t.Errorf("bareLF(%q) = true", b)
		}
	}
	if n := headEnd([]byte(okGET + "POST")); n != len(okGET) {
		t.Errorf("headEnd = %d, want %d", n, len(okGET))
	}
}

// FuzzParseHead: whatever parseHead accepts, net/http reads the same way:
// same method, target, body length, Connection: close and field values,
// and no other framing. So a request Serve answers is never one net/http
// would read differently (the handoff cannot split a request).
func FuzzParseHead(f *testing.F) {
	f.Add(okGET)
	f.Add("POST /engine.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nContent-Type: text/plain;charset=UTF-8\r\nConnection: close\r\n\r\n")
	f.Add("POST /engine.io/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
	f.Add("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")
	f.Add("GET / HTTP/1.1\r\nhost: [::1]:80\r\nConnection: ,close,\r\n\r\n")
	f.Add("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 01\r\n\r\n")
	f.Add("GET /?a=b?c HTTP/1.1\r\nHOST: a\r\nconnection: UPGRADE\r\n\r\n")
	f.Add("GET / HTTP/1.1\r\nHost: a\r\nConnection: clo\u017fe\r\n\r\n")
	f.Add("GET /0123456789abcdef HTTP/1.1\r\nHost: a\r\nContent-Type: \t0123456789abcdef\x7f\r\n\r\n")
	f.Fuzz(func(t *testing.T, head string) {
		h, err := parseHead(head)
		if err != nil {
			return
		}
		r, rerr := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if rerr != nil {
			t.Fatalf("parseHead accepts %q, net/http refuses it: %v", head, rerr)
		}
		method := map[bool]string{false: "GET", true: "POST"}[h.post]
		target := h.path
		if strings.Contains(r.RequestURI, "?") {
			target += "?" + h.query
		}
		if r.Method != method || r.RequestURI != target || r.URL.RawQuery != h.query || r.ProtoMinor != 1 {
			t.Fatalf("%q: net/http reads %s %s (query %q), parseHead %s %s?%s", head, r.Method, r.RequestURI, r.URL.RawQuery, method, h.path, h.query)
		}
		if r.ContentLength != h.contentLength || len(r.TransferEncoding) != 0 {
			t.Fatalf("%q: net/http reads length %d %v, parseHead %d", head, r.ContentLength, r.TransferEncoding, h.contentLength)
		}
		if r.Close != h.close {
			t.Fatalf("%q: net/http Close %v, parseHead %v", head, r.Close, h.close)
		}
		for name, v := range map[string]string{"Content-Type": h.contentType, "Accept-Encoding": h.acceptEncoding, "Origin": h.origin} {
			if got := r.Header.Get(name); got != v {
				t.Fatalf("%q: net/http reads %s %q, parseHead %q", head, name, got, v)
			}
		}
		if r.Header.Get("Upgrade") != "" || r.Header.Get("Expect") != "" {
			t.Fatalf("%q: accepted with Upgrade or Expect", head)
		}
	})
}
