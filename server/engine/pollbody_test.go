package engine

import (
	"bufio"
	"io"
	"mime"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// rawPOST opens a TCP connection to the test server and writes the header
// of a POST for sid announcing length bytes, then body (possibly less).
func rawPOST(t *testing.T, ts *testServer, sid string, length int, body string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := "POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n" +
		"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + strconv.Itoa(length) + "\r\n\r\n" + body
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitPostPending waits until s has a POST in progress.
func waitPostPending(t *testing.T, s *Session) {
	t.Helper()
	for range 1000 {
		s.mu.Lock()
		ok := s.postActive
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no POST pending")
}

// TestPollingPostBodyGrows: 100 POSTs that announce a body of the maximum
// size and send one byte cost a little memory, not the announced 100 MB
// (issue 10 item 10: the body was allocated from Content-Length up front).
func TestPollingPostBodyGrows(t *testing.T) {
	const n, size = 100, 1 << 20
	ts := newTestServer(t, &Options{MaxHTTPBufferSize: size, Logger: discardLogger()}, false)
	sessions := make([]*Session, n)
	sids := make([]string, n)
	for i := range n {
		sids[i], _ = ts.handshake(t)
		sessions[i] = ts.session(t)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		rawPOST(t, ts, sids[i], size, "4")
	}
	for _, s := range sessions {
		waitPostPending(t, s)
	}
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grown by %d KB for %d header-only POSTs of %d bytes", grown>>10, n, size)
	if grown > 20<<20 {
		t.Fatalf("heap grown by %d MB for %d POSTs that sent 1 byte", grown>>20, n)
	}
}

// TestPollingPostEndedWithSession: a POST whose body is still arriving when
// its session ends is ended: its connection is closed with no answer, as
// the reference destroys the request (issue 10 item 10).
func TestPollingPostEndedWithSession(t *testing.T) {
	ts := newTestServer(t, &Options{Logger: discardLogger()}, false)
	var conns []net.Conn
	for range 5 {
		sid, _ := ts.handshake(t)
		s := ts.session(t)
		conns = append(conns, rawPOST(t, ts, sid, 100, "4he"))
		waitPostPending(t, s)
		s.Close(ReasonForcedClose)
		if res := ts.poll(t, sid); res.body != "1" { // carries the close packet: the session ends
			t.Fatalf("GET: %d %q", res.status, res.body)
		}
		if ev := ts.closed(t); ev.reason != ReasonForcedClose {
			t.Fatalf("close %q", ev.reason)
		}
	}
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			res.Body.Close()
			t.Fatalf("POST %d answered %d after its session closed", i, res.StatusCode)
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("POST %d still open 5 s after its session closed", i)
		}
	}
}

// TestBinaryContent: binaryContentType reads a Content-Type as
// mime.ParseMediaType does (the check it replaces on the POST path).
func TestBinaryContent(t *testing.T) {
	for _, v := range []string{"", "text/plain;charset=UTF-8", "application/octet-stream",
		" Application/Octet-Stream ; x=1", "application/octet-stream; bad", "application/octet-streamx",
		"application/octet-stream;", "text/html", ";application/octet-stream"} {
		mt, _, err := mime.ParseMediaType(v)
		want := v != "" && err == nil && mt == "application/octet-stream"
		if got := binaryContentType(v); got != want {
			t.Errorf("binaryContentType(%q) = %v, want %v", v, got, want)
		}
	}
}
