package engine

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// serveTestServer is a testServer served by Server.Serve: hits counts the
// requests that reached net/http (the handoff), other answers "other
// <method> <path> <body>" to requests outside /engine.io/.
type serveTestServer struct {
	*testServer
	hits   atomic.Int64
	addr   string
	cancel context.CancelFunc
	done   chan error
	hs     *http.Server
}

func newServeTestServer(t *testing.T, opts *Options, echo bool) *serveTestServer {
	t.Helper()
	rec, srv := newRecServer(opts, echo)
	sts := &serveTestServer{done: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", srv)
	mux.HandleFunc("/other/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "other "+r.Method+" "+r.URL.RequestURI()+" "+string(b))
	})
	sts.hs = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sts.hits.Add(1)
		mux.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sts.cancel = cancel
	go func() { sts.done <- srv.Serve(ctx, ln, ServeOptions{Path: "/engine.io/", HTTP: sts.hs}) }()
	sts.addr = ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{}}
	sts.testServer = &testServer{recorder: rec, srv: srv, base: "http://" + sts.addr + "/engine.io/", client: client}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("Server.Close: %v", err)
		}
		client.CloseIdleConnections()
		sts.stop(t)
	})
	return sts
}

// stop cancels Serve, closes the http.Server and checks Serve's result.
func (sts *serveTestServer) stop(t *testing.T) {
	t.Helper()
	sts.cancel()
	select {
	case err := <-sts.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Serve returned %v, want context.Canceled", err)
		}
		sts.done <- err
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after ctx was cancelled")
	}
	_ = sts.hs.Close()
}

// httpConn is a client connection that writes raw bytes and reads responses.
type httpConn struct {
	net.Conn
	br *bufio.Reader
}

func (sts *serveTestServer) dialHTTP(t *testing.T) *httpConn {
	t.Helper()
	c, err := net.Dial("tcp", sts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &httpConn{c, bufio.NewReader(c)}
}

func (c *httpConn) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

// read reads one response and its body.
func (c *httpConn) read(t *testing.T) (*http.Response, string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func getReq(sid string) string {
	return "GET /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n"
}

func postReq(sid, body string) string {
	return "POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// TestServePolling: the handshake and the polling requests of the session
// are answered by Serve, as ServeHTTP answers them; AllowRequest and the
// session's RequestInfo see the handshake request as net/http reads it.
func TestServePolling(t *testing.T) {
	var seen atomic.Pointer[http.Request]
	sts := newServeTestServer(t, &Options{AllowRequest: func(r *http.Request) error {
		seen.Store(r)
		return nil
	}}, true)
	sid, _ := sts.handshake(t)
	r := seen.Load()
	if r == nil || r.Header.Get("User-Agent") == "" || r.RemoteAddr == "" || r.Host != sts.addr || r.Context().Err() != nil {
		t.Fatalf("AllowRequest saw %+v", r)
	}
	if info := sts.session(t).Request(); info.Header().Get("User-Agent") == "" || info.RemoteAddr != r.RemoteAddr ||
		info.URL != "/engine.io/?EIO=4&transport=polling" {
		t.Fatalf("RequestInfo %+v", info)
	}
	c := sts.dialHTTP(t)
	c.send(t, postReq(sid, "4hello"))
	res, body := c.read(t)
	if res.StatusCode != 200 || body != "ok" {
		t.Fatalf("POST: %d %q", res.StatusCode, body)
	}
	c.send(t, getReq(sid))
	res, body = c.read(t)
	if res.StatusCode != 200 || body != "4hello" || res.Header.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Fatalf("GET: %d %q %v", res.StatusCode, body, res.Header)
	}
	if n := sts.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached net/http", n)
	}
}

// servedByUs reports whether a response was Serve's own: net/http's answers
// either ran the handler (hits grew) or are its own errors ("400 Bad
// Request: ..." bodies).
func (sts *serveTestServer) notServedByUs(t *testing.T, hitsBefore int64, res *http.Response, body string) bool {
	t.Helper()
	return sts.hits.Load() > hitsBefore || strings.HasPrefix(body, strconv.Itoa(res.StatusCode)+" ")
}

// TestServeHandsOverRefused: every polling request of a live session that
// parseHead refuses reaches net/http whole, never answered by Serve.
func TestServeHandsOverRefused(t *testing.T) {
	sts := newServeTestServer(t, &Options{PingInterval: time.Minute}, false)
	q := "/engine.io/?EIO=4&transport=polling&sid="
	for _, c := range []struct {
		name string
		req  func(sid string) string
	}{
		{"http10", func(sid string) string { return "GET " + q + sid + " HTTP/1.0\r\nHost: x\r\n\r\n" }},
		{"bareLF", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\nHost: x\n\n" }},
		{"noHost", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\r\n\r\n" }},
		{"twoHosts", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" }},
		{"fold", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n" }},
		{"spaceBeforeColon", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\r\nHost : x\r\n\r\n" }},
		{"ctl", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\r\nHost: x\r\nX-A: a\x01\r\n\r\n" }},
		{"absoluteTarget", func(sid string) string { return "GET http://x" + q + sid + " HTTP/1.1\r\nHost: x\r\n\r\n" }},
		{"getLength", func(sid string) string { return "GET " + q + sid + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" }},
		{"upgradeH2C", func(sid string) string {
			return "GET " + q + sid + " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
		}},
		{"longHead", func(sid string) string {
			return "GET " + q + sid + " HTTP/1.1\r\nHost: x\r\nX-A: " + strings.Repeat("a", maxHeadBytes) + "\r\n\r\n"
		}},
		{"chunked", func(sid string) string {
			return "POST " + q + sid + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n4a\r\n0\r\n\r\n"
		}},
		{"twoLengths", func(sid string) string {
			return "POST " + q + sid + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n4a"
		}},
		{"plusLength", func(sid string) string {
			return "POST " + q + sid + " HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n4a"
		}},
		{"otherPath", func(sid string) string {
			return "GET /engine.io/x?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n"
		}},
		{"escapedPath", func(sid string) string {
			return "GET /engine%2eio/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n"
		}},
		{"options", func(sid string) string { return "OPTIONS " + q + sid + " HTTP/1.1\r\nHost: x\r\n\r\n" }},
		{"unknownSID", func(string) string { return "GET " + q + "nope HTTP/1.1\r\nHost: x\r\n\r\n" }},
		{"eio3", func(sid string) string {
			return "GET /engine.io/?EIO=3&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sid, _ := sts.handshake(t)
			s := sts.session(t)
			_ = s.Send(eio.Packet{Type: eio.Message, Data: []byte("x")}) // a GET is answered at once
			before := sts.hits.Load()
			hc := sts.dialHTTP(t)
			hc.send(t, c.req(sid))
			res, body := hc.read(t)
			if !sts.notServedByUs(t, before, res, body) {
				t.Fatalf("answered by Serve: %d %q", res.StatusCode, body)
			}
			s.Close(ReasonForcedClose)
		})
	}
}

// TestServeHandoffMidConnection: on one keep-alive connection, requests
// Serve answers, then one for another path (handed over with the bytes
// after it), then a polling request that net/http now answers; all
// pipelined in one write.
func TestServeHandoffMidConnection(t *testing.T) {
	sts := newServeTestServer(t, nil, true)
	sid, _ := sts.handshake(t)
	before := sts.hits.Load()
	hc := sts.dialHTTP(t)
	hc.send(t, postReq(sid, "4a")+
		"POST /other/x?y=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"+
		postReq(sid, "4b")+getReq(sid))
	for i, want := range []string{"ok", "other POST /other/x?y=1 abc", "ok", "4a\x1e4b"} {
		res, body := hc.read(t)
		if res.StatusCode != 200 || body != want {
			t.Fatalf("response %d: %d %q, want %q", i, res.StatusCode, body, want)
		}
	}
	if got := sts.hits.Load() - before; got != 3 {
		t.Fatalf("%d requests reached net/http, want 3 (the other path and what followed)", got)
	}
}

// TestServePipelined: pipelined polling requests are answered in order by
// Serve, each read whole.
func TestServePipelined(t *testing.T) {
	sts := newServeTestServer(t, nil, true)
	sid, _ := sts.handshake(t)
	before := sts.hits.Load()
	hc := sts.dialHTTP(t)
	hc.send(t, postReq(sid, "4a")+postReq(sid, "4b\x1e4c")+getReq(sid)+postReq(sid, "4d"))
	for i, want := range []string{"ok", "ok", "4a\x1e4b\x1e4c", "ok"} {
		res, body := hc.read(t)
		if res.StatusCode != 200 || body != want {
			t.Fatalf("response %d: %d %q, want %q", i, res.StatusCode, body, want)
		}
	}
	hc.send(t, getReq(sid))
	if _, body := hc.read(t); body != "4d" {
		t.Fatalf("last GET: %q", body)
	}
	if n := sts.hits.Load() - before; n != 0 {
		t.Fatalf("%d requests reached net/http", n)
	}
}

// TestServeParkedGET: a GET that waits is answered when a message is sent,
// and the connection then serves the next request; one whose client goes
// away ends its session (ErrPollAborted), as on the net/http path.
func TestServeParkedGET(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	s := sts.session(t)
	hc := sts.dialHTTP(t)
	hc.send(t, getReq(sid))
	waitGET(t, s)
	_ = s.Send(eio.Packet{Type: eio.Message, Data: []byte("late")})
	if _, body := hc.read(t); body != "4late" {
		t.Fatalf("parked GET: %q", body)
	}
	hc.send(t, postReq(sid, "4next"))
	if _, body := hc.read(t); body != "ok" {
		t.Fatalf("POST after a parked GET: %q", body)
	}
	hc.send(t, getReq(sid))
	waitGET(t, s)
	hc.Close()
	ev := sts.closed(t)
	if ev.reason != ReasonTransportError || !errors.Is(ev.err, ErrPollAborted) {
		t.Fatalf("closed: %q %v", ev.reason, ev.err)
	}
}

// waitGET waits until s has a GET pending.
func waitGET(t *testing.T, s *Session) {
	t.Helper()
	for range 1000 {
		s.mu.Lock()
		active := s.getActive
		s.mu.Unlock()
		if active {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no GET pending")
}

// TestServeConnectionClose: Connection: close is honoured (answered with
// Connection: close, then the connection is closed).
func TestServeConnectionClose(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	hc := sts.dialHTTP(t)
	req := postReq(sid, "4a")
	req = strings.Replace(req, "Host: x\r\n", "Host: x\r\nConnection: close\r\n", 1)
	hc.send(t, req)
	res, body := hc.read(t)
	if body != "ok" || !res.Close {
		t.Fatalf("%q close=%v", body, res.Close)
	}
	if _, err := hc.br.ReadByte(); err != io.EOF {
		t.Fatalf("after Connection: close: %v", err)
	}
}

// TestServeCancel: cancelling Serve's context ends it and every connection
// it kept: a parked GET ends (its session with ErrPollAborted).
func TestServeCancel(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	s := sts.session(t)
	hc := sts.dialHTTP(t)
	hc.send(t, getReq(sid))
	waitGET(t, s)
	idle := sts.dialHTTP(t) // a connection that sent nothing
	sts.stop(t)
	if _, err := hc.br.ReadByte(); err == nil {
		t.Fatal("parked GET's connection still open")
	}
	if _, err := idle.br.ReadByte(); err == nil {
		t.Fatal("idle connection still open")
	}
	if ev := sts.closed(t); !errors.Is(ev.err, ErrPollAborted) {
		t.Fatalf("closed: %q %v", ev.reason, ev.err)
	}
}

// TestServeShutdown: shutting the http.Server down ends Serve with
// http.ErrServerClosed.
func TestServeShutdown(t *testing.T) {
	_, srv := newRecServer(nil, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln, ServeOptions{HTTP: hs}) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/engine.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			t.Fatalf("Serve: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve did not return after Shutdown")
	}
	if err := srv.Serve(ctx, ln, ServeOptions{}); !errors.Is(err, ErrServeOptions) {
		t.Fatalf("Serve without HTTP: %v", err)
	}
}

// TestServeSameAnswers: Serve answers polling requests with the bytes
// ServeHTTP (under net/http) answers them with: status, header fields
// (CORS, compression, Connection: close; Date aside) and body.
func TestServeSameAnswers(t *testing.T) {
	opts := &Options{
		CORS:                     &CORS{Origins: []string{"http://ok.example"}, Credentials: true},
		HTTPCompressionThreshold: 8,
		Cookie:                   &Cookie{},
	}
	plain := newTestServer(t, opts, true)
	fast := newServeTestServer(t, opts, true)
	type answer struct {
		status int
		header http.Header
		body   string
	}
	run := func(ts *testServer, addr string) []answer {
		var out []answer
		dial := func() *httpConn {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return &httpConn{c, bufio.NewReader(c)}
		}
		exchange := func(hc *httpConn, req string) {
			hc.send(t, req)
			res, body := hc.read(t)
			if res.Header.Get("Date") == "" {
				t.Errorf("%q: no Date", req)
			}
			res.Header.Del("Date")
			if c := res.Header["Set-Cookie"]; len(c) == 1 {
				c[0] = sidCookie.ReplaceAllString(c[0], "io=SID;")
			}
			out = append(out, answer{res.StatusCode, res.Header, sidField.ReplaceAllString(body, `"sid":"SID"`)})
		}
		with := func(req, fields string) string {
			return strings.Replace(req, "Host: x\r\n", "Host: x\r\n"+fields, 1)
		}
		hc := dial()
		hc.send(t, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: http://ok.example\r\n\r\n")
		res, body := hc.read(t)
		sid := openHandshake(t, body).SID
		res.Header.Del("Date")
		for k, vs := range res.Header {
			for i := range vs {
				vs[i] = strings.ReplaceAll(vs[i], sid, "SID")
			}
			res.Header[k] = vs
		}
		out = append(out, answer{res.StatusCode, res.Header, strings.ReplaceAll(body, sid, "SID")})
		exchange(hc, with(postReq(sid, "4hello world"), "Origin: http://ok.example\r\n"))
		exchange(hc, with(getReq(sid), "Origin: http://ok.example\r\nAccept-Encoding: gzip\r\n"))
		exchange(hc, with(postReq(sid, "4a"), "Origin: http://other.example\r\n"))
		exchange(hc, with(getReq(sid), "Accept-Encoding: br, deflate;q=0.5\r\nConnection: close\r\n"))
		hc = dial()
		exchange(hc, with(postReq(sid, "4b"), "Origin: http://ok.example\r\nConnection: close\r\n"))
		hc = dial()
		exchange(hc, strings.Replace(postReq(sid, "4b"), "text/plain;charset=UTF-8", "application/octet-stream", 1))
		exchange(hc, getReq(sid)) // unknown session now: answered by net/http on both
		sid, _ = ts.handshake(t)
		hc = dial()
		exchange(hc, postReq(sid, "zzz"))
		exchange(hc, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: http://ok.example\r\nContent-Type: text/plain\r\n\r\n")
		return out
	}
	want := run(plain, plain.ts.Listener.Addr().String())
	got := run(fast.testServer, fast.addr)
	if n := fast.hits.Load(); n != 1 {
		t.Errorf("%d requests reached net/http on the Serve side, want 1 (the unknown session)", n)
	}
	if len(got) != len(want) {
		t.Fatalf("%d answers, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].status != want[i].status || got[i].body != want[i].body || !reflect.DeepEqual(got[i].header, want[i].header) {
			t.Errorf("answer %d:\n got %d %v %q\nwant %d %v %q", i, got[i].status, got[i].header, got[i].body,
				want[i].status, want[i].header, want[i].body)
		}
	}
}

var (
	sidCookie = regexp.MustCompile(`io=[^;]*;`)
	sidField  = regexp.MustCompile(`"sid":"[^"]*"`)
)

// TestServeAnswerAfterExchange: a POST's answer is written once serveData
// has returned (as net/http writes a handler's response when it returns),
// so a client that sends its next POST on another connection as soon as it
// has "ok" never makes it an overlap.
func TestServeAnswerAfterExchange(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	a, b := sts.dialHTTP(t), sts.dialHTTP(t)
	for i := range 200 {
		hc := []*httpConn{a, b}[i%2]
		hc.send(t, postReq(sid, "4m"))
		if res, body := hc.read(t); res.StatusCode != 200 || body != "ok" {
			t.Fatalf("POST %d: %d %q", i, res.StatusCode, body)
		}
	}
}

// TestServeTimeouts: a connection that sends nothing closes after
// hs.IdleTimeout, one whose head does not complete after
// hs.ReadHeaderTimeout: closed without an answer, not handed over.
func TestServeTimeouts(t *testing.T) {
	_, srv := newRecServer(nil, false)
	var hits atomic.Int64
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		srv.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond}
	addr := serveOn(t, srv, hs)
	for _, first := range []string{"", "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if first != "" {
			if _, err := io.WriteString(c, first); err != nil {
				t.Fatal(err)
			}
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		c.Close()
		if err != nil || len(b) != 0 {
			t.Fatalf("after %q: read %q, %v; want a close without an answer", first, b, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached net/http", n)
	}
}

// TestServePostAborted: a session that ends while its POST body is still
// arriving ends the POST: the connection is closed without an answer, as on
// the net/http path.
func TestServePostAborted(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	s := sts.session(t)
	hc := sts.dialHTTP(t)
	hc.send(t, "POST /engine.io/?EIO=4&transport=polling&sid="+sid+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n4abc")
	for range 1000 { // until the POST is being read
		s.mu.Lock()
		active := s.postActive
		s.mu.Unlock()
		if active {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.kill(ReasonTransportError, nil)
	_ = hc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(hc.br)
	if err != nil || len(b) != 0 {
		t.Fatalf("read %q, %v; want a close without an answer", b, err)
	}
}

// serveOn runs srv.Serve with hs on a new loopback listener until the test
// ends, and returns its address.
func serveOn(t *testing.T, srv *Server, hs *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, ServeOptions{HTTP: hs}) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = hs.Close()
		_ = srv.Close(context.Background())
	})
	return ln.Addr().String()
}
