package engine

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
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

// TestServePolling: after a handshake (net/http's), the polling requests
// of the session are answered by Serve, as ServeHTTP answers them.
func TestServePolling(t *testing.T) {
	sts := newServeTestServer(t, nil, true)
	sid, _ := sts.handshake(t)
	if n := sts.hits.Load(); n != 1 {
		t.Fatalf("%d requests reached net/http for the handshake", n)
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
	if n := sts.hits.Load(); n != 1 {
		t.Fatalf("%d requests reached net/http, want the handshake only", n)
	}
}
