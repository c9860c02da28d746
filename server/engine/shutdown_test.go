package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// dialSilent opens a websocket to the test server with query (a new
// session when it has no sid) by hand and returns the connection after the
// 101, leaving the rest unread: a client that never answers anything.
func dialSilent(t *testing.T, addr, path, query string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := "GET " + path + "?" + query + " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("websocket handshake: %d", res.StatusCode)
	}
	return c
}

// TestServerCloseBounded: Server.Close ends in well under a second whatever
// state the sessions are in (issue 10 item 11): sessions already closing
// gracefully (waiting for a GET that never comes), polling clients that
// handshook and went away, a websocket client that never answers the close
// frame. Before, Close waited out the 30 s graceful close and the 5 s close
// handshake.
func TestServerCloseBounded(t *testing.T) {
	ts := newTestServer(t, &Options{Logger: discardLogger()}, false)
	var closing []*Session
	for range 3 {
		ts.handshake(t)
		s := ts.session(t)
		s.Close(ReasonForcedClose) // waits for a GET to carry the close packet
		closing = append(closing, s)
	}
	for range 3 {
		ts.handshake(t) // and walks away
		ts.session(t)
	}
	dialSilent(t, ts.ts.Listener.Addr().String(), "/engine.io/", "EIO=4&transport=websocket")
	ts.session(t)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.srv.Close(ctx); err != nil {
		t.Fatalf("Close: %v after %v", err, time.Since(start))
	}
	t.Logf("Close took %v", time.Since(start))
	reasons := map[string]int{}
	for range 7 {
		reasons[ts.closed(t).reason]++
	}
	if reasons[ReasonForcedClose] != 3 || reasons[ReasonServerShutdown] != 4 {
		t.Fatalf("close reasons %v", reasons)
	}
	for _, s := range closing {
		if s.Context().Err() == nil {
			t.Fatal("session context not done")
		}
	}
}
