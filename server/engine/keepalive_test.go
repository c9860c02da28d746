package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// TestPollingCloseKeepsConnection: a POST that closes its session (a close
// packet) leaves its keep-alive connection usable for other sessions. It
// ended the body read of the POST in progress by moving the connection's
// read deadline to now, also once the body had been read: net/http's
// background read of the connection then failed with a timeout it did not
// cause, and canceled the context of the connection, so the next request on
// it (a browser reuses the connection: the GET of another session) found its
// context done at once, ended its session ("poll request closed
// prematurely") and was answered 200 with an empty body, which the client
// reads as a parse error (seen in e2e TestBrowserEarlyConnectCases/"second
// Manager later", where the loader closes a session the Go client does not
// use).
func TestPollingCloseKeepsConnection(t *testing.T) {
	ts := newTestServer(t, &Options{PingInterval: 100 * time.Millisecond, PingTimeout: 5 * time.Second}, false)
	c, err := net.Dial("tcp", ts.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	do := func(method, query, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, ts.base+"?EIO=4&transport=polling"+query, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		}
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, string(b)
	}
	// Two sessions, every request on one connection.
	_, hsA := do("GET", "", "")
	_, hsB := do("GET", "", "")
	a, b := sidOf(t, hsA), sidOf(t, hsB)
	if status, body := do("POST", "&sid="+a, "1"); status != 200 || body != "ok" {
		t.Fatalf("close POST of A: %d %q", status, body)
	}
	// B's GET waits for B's first ping.
	if status, body := do("GET", "&sid="+b, ""); status != 200 || body != "2" {
		t.Fatalf("GET of B after A's close on the same connection: %d %q, want 200 \"2\" (a ping)", status, body)
	}
}

// sidOf returns the sid of a polling handshake's body.
func sidOf(t *testing.T, body string) string {
	t.Helper()
	p, err := eio.DecodeText([]byte(body))
	if err != nil || p.Type != eio.Open {
		t.Fatalf("handshake %q: %v", body, err)
	}
	hs, err := eio.ParseHandshake(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	return hs.SID
}
