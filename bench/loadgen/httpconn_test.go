//go:build !js

package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPollingKeepAlive: against the real servers, a polling Conn does all
// its requests on two connections (one for the GETs, one for the POSTs):
// keep-alive works with net/http's server and Node's. With an idle timeout
// of 1 ns every request goes on a new connection, and still succeeds.
func TestPollingKeepAlive(t *testing.T) {
	for name, start := range map[string]func(testing.TB) string{"duplex": startDuplex, "node": startNode} {
		t.Run(name, func(t *testing.T) {
			addr := start(t)
			for _, redial := range []bool{false, true} {
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				d := NewDialer(addr, &DialOptions{HandshakeTimeout: 10 * time.Second, Polling: true})
				if redial {
					d.pollIdle = time.Nanosecond
				}
				conns, err := Connect(ctx, d, 3, 3)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Echo(ctx, conns, time.Minute, 30, 10*time.Second)
				if err != nil || res.RoundTrips != 3*30 || res.Mismatched != 0 {
					t.Fatalf("echo: %+v, %v", res, err)
				}
				if err := Failed(conns); err != nil {
					t.Fatal(err)
				}
				CloseAll(conns) // the loops have ended: their counters can be read
				for i, c := range conns {
					gets, posts := c.HTTPRequests()
					getDials, postDials := c.poll.get.dials, c.poll.post.dials
					switch {
					case gets < 30 || posts < 30:
						t.Fatalf("redial %v, conn %d: %d GETs, %d POSTs answered", redial, i, gets, posts)
					case !redial && (getDials != 1 || postDials != 1):
						t.Fatalf("conn %d: %d GET and %d POST connections, want 1 each", i, getDials, postDials)
					case redial && (int64(getDials) < gets || int64(getDials) > gets+1 || int64(postDials) < posts || int64(postDials) > posts+1):
						t.Fatalf("idle timeout 1 ns, conn %d: %d GET connections for %d GETs, %d POST connections for %d POSTs",
							i, getDials, gets, postDials, posts)
					}
				}
			}
		})
	}
}

// scriptServer is a hand-made polling server: it accepts any number of
// connections on 127.0.0.1 and answers each request with the raw bytes
// answer returns for it, closing the connection after it when hangup is
// set. answer may block until stop is closed (at the end of the test, when
// every connection is closed and its goroutine awaited). accepted counts
// the connections.
type scriptServer struct {
	addr     string
	accepted atomic.Int32
	stop     chan struct{}
}

func startScript(t *testing.T, answer func(req *http.Request, body string, stop <-chan struct{}) (raw string, hangup bool)) *scriptServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptServer{addr: ln.Addr().String(), stop: make(chan struct{})}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	serve := func(nc net.Conn) {
		defer nc.Close()
		br := bufio.NewReader(nc)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return
			}
			raw, hangup := answer(req, string(body), s.stop)
			if _, err := io.WriteString(nc, raw); err != nil || hangup {
				return
			}
		}
	}
	wg.Go(func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			mu.Lock()
			open = append(open, nc)
			mu.Unlock()
			wg.Go(func() { serve(nc) })
		}
	})
	t.Cleanup(func() {
		close(s.stop)
		ln.Close()
		mu.Lock()
		for _, nc := range open {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// Pieces of scripted responses.
const (
	openPacket = `0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	okHead     = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n"
)

// withLength is a 200 response of body framed by Content-Length.
func withLength(body string) string {
	return fmt.Sprintf("%sContent-Length: %d\r\n\r\n%s", okHead, len(body), body)
}

// chunked is a 200 response of body in chunks of at most 7 bytes, with a
// chunk extension and a trailer field.
func chunked(body string) string {
	var b strings.Builder
	b.WriteString(okHead + "Transfer-Encoding: chunked\r\n\r\n")
	for len(body) > 0 {
		n := min(len(body), 7)
		fmt.Fprintf(&b, "%x;ext=1\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\nX-Trailer: 1\r\n\r\n")
	return b.String()
}

// TestPollingChunkedAndClose drives a session through a hand-made server
// that sends every GET's body chunked and answers every POST with
// "Connection: close", closing the connection after it: the handshake, an
// echo and a ping succeed, the GETs on one connection, each POST on a new
// one.
func TestPollingChunkedAndClose(t *testing.T) {
	out := make(chan string, 16) // packets for the next GET
	ponged := make(chan struct{})
	var posts atomic.Int32
	srv := startScript(t, func(req *http.Request, body string, stop <-chan struct{}) (string, bool) {
		switch {
		case req.Method == http.MethodGet && req.URL.Query().Get("sid") == "":
			return chunked(openPacket), false
		case req.Method == http.MethodGet:
			select {
			case pk := <-out:
				return chunked(pk), false
			case <-stop:
				return "", true
			}
		}
		posts.Add(1)
		for pk := range strings.SplitSeq(body, "\x1e") {
			switch {
			case pk == "40":
				out <- `40{"sid":"s1"}`
			case strings.HasPrefix(pk, `420["echo",`):
				out <- "2\x1e" + `430[` + strings.TrimPrefix(pk, `420["echo",`) // a ping, then the ack
			case pk == "3":
				close(ponged)
			}
		}
		return okHead + "Content-Length: 2\r\nConnection: close\r\n\r\nok", true
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	d := NewDialer(srv.addr, &DialOptions{HandshakeTimeout: 5 * time.Second, Polling: true})
	c, err := d.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.SID != "abc" || c.ID != "s1" {
		t.Fatalf("sid %q, id %q", c.SID, c.ID)
	}
	ack, err := c.Call(ctx, []byte(`["echo","x",1]`))
	if err != nil || string(ack) != `["x",1]` {
		t.Fatalf("ack %q, %v", ack, err)
	}
	select {
	case <-ponged:
	case <-ctx.Done():
		t.Fatal("no pong")
	}
	if c.Pings() != 1 {
		t.Fatalf("%d pings answered, want 1", c.Pings())
	}
	// POSTs "40", the echo, the pong; the GETs on one connection.
	if n, p := srv.accepted.Load(), posts.Load(); p != 3 || n != 1+p {
		t.Fatalf("%d connections for %d POSTs, want 4 for 3", n, p)
	}
	if err := Failed([]*Conn{c}); err != nil {
		t.Fatal(err)
	}
}

// TestPollingBadResponses: a response the client cannot take fails the
// handshake with a clear error (never a hang), whether it comes for the
// handshake GET or, after it, for a GET or a POST of the session (the
// Conn then ends with the error).
func TestPollingBadResponses(t *testing.T) {
	cases := []struct {
		name   string
		raw    string // the bad response (the connection closes after it)
		is     []error
		substr string
	}{
		{"status 400", "HTTP/1.1 400 Bad Request\r\nContent-Length: 13\r\n\r\n{\"code\":3,\"\"}",
			[]error{ErrProtocol}, `status 400 "{\"code\":3,\"\"}"`},
		{"truncated body", okHead + "Content-Length: 100\r\n\r\n0{\"sid\":", []error{ErrHTTP, io.ErrUnexpectedEOF}, "body truncated"},
		{"truncated chunk", okHead + "Transfer-Encoding: chunked\r\n\r\n10\r\n0{\"sid", []error{ErrHTTP, io.ErrUnexpectedEOF}, "chunk truncated"},
		{"no last chunk", okHead + "Transfer-Encoding: chunked\r\n\r\n2\r\n40\r\n", []error{io.ErrUnexpectedEOF}, "chunk size"},
		{"truncated head", okHead + "Content-Len", []error{io.ErrUnexpectedEOF}, "header"},
		{"no response", "", []error{io.ErrUnexpectedEOF}, "closed by the server before the response"},
		{"no framing", okHead + "\r\n0{}", []error{ErrHTTP}, "neither Content-Length nor chunked"},
		{"gzip", okHead + "Transfer-Encoding: gzip, chunked\r\n\r\n", []error{ErrHTTP}, "only chunked is handled"},
		{"both framings", okHead + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", []error{ErrHTTP}, "both"},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", []error{ErrHTTP}, "status line"},
		{"over the limit", okHead + "Content-Length: 2000000\r\n\r\n", []error{ErrHTTP}, "over the limit"},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", []error{ErrHTTP}, "not ended by CRLF"},
	}
	for _, tc := range cases {
		check := func(t *testing.T, err error) {
			t.Helper()
			if err == nil {
				t.Fatal("no error")
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("error %q is not %v", err, target)
				}
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not say %q", err, tc.substr)
			}
		}
		t.Run(tc.name+"/handshake", func(t *testing.T) {
			srv := startScript(t, func(*http.Request, string, <-chan struct{}) (string, bool) { return tc.raw, true })
			d := NewDialer(srv.addr, &DialOptions{HandshakeTimeout: 5 * time.Second, Polling: true})
			c, err := d.Dial(t.Context())
			if err == nil {
				c.Close()
			}
			check(t, err)
		})
		for _, bad := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tc.name+"/"+bad, func(t *testing.T) {
				c := badAfterConnect(t, bad, tc.raw)
				select {
				case <-c.Done():
				case <-time.After(10 * time.Second):
					t.Fatal("the Conn did not end")
				}
				check(t, c.Err())
				c.Close()
			})
		}
	}
}

// badAfterConnect serves a session through its CONNECT, then answers the
// next request of method bad with raw (and closes), and returns the Conn;
// for a bad POST, the Conn has sent an echo. The other request stays
// unanswered.
func badAfterConnect(t *testing.T, bad, raw string) *Conn {
	t.Helper()
	connected := make(chan struct{})
	var once sync.Once
	srv := startScript(t, func(req *http.Request, body string, stop <-chan struct{}) (string, bool) {
		sid := req.URL.Query().Get("sid")
		select {
		case <-connected:
			if req.Method == bad {
				return raw, true
			}
			<-stop // the other request stays pending
			return "", true
		default:
		}
		switch {
		case sid == "":
			return withLength(openPacket), false
		case req.Method == http.MethodPost:
			return withLength("ok"), false
		}
		once.Do(func() { close(connected) })
		return withLength(`40{"sid":"s1"}`), false
	})
	d := NewDialer(srv.addr, &DialOptions{HandshakeTimeout: 5 * time.Second, Polling: true})
	c, err := d.Dial(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if bad == http.MethodPost {
		if err := c.EmitAck(echoArgs, func([]byte) {}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestPollingHangs: a server that accepts and never answers fails the
// handshake at its timeout, and a Conn whose GET is parked and whose POST
// gets no answer closes at once.
func TestPollingHangs(t *testing.T) {
	t.Run("handshake", func(t *testing.T) {
		srv := startScript(t, func(_ *http.Request, _ string, stop <-chan struct{}) (string, bool) {
			<-stop
			return "", true
		})
		d := NewDialer(srv.addr, &DialOptions{HandshakeTimeout: 200 * time.Millisecond, Polling: true})
		_, err := d.Dial(t.Context())
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "after 200ms") {
			t.Fatalf("error %v, want the handshake timeout", err)
		}
	})
	t.Run("close", func(t *testing.T) {
		c := badAfterConnect(t, "none", "")                          // the GET stays unanswered
		if err := c.EmitAck(echoArgs, func([]byte) {}); err != nil { // and so does this POST
			t.Fatal(err)
		}
		c.Close()
		if err := c.Err(); err != nil {
			t.Fatalf("Err after Close: %v", err)
		}
		if err := c.EmitAck(echoArgs, func([]byte) {}); !errors.Is(err, errPollingClosed) {
			t.Fatalf("emit after Close: %v", err)
		}
	})
}
