package engine

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// waitParkedGET waits until s has a GET of Server.Serve parked in a read of its
// connection and cond (nil: true) holds for that connection; it returns
// the connection.
func waitParkedGET(t *testing.T, s *Session, cond func(c *fastConn) bool) *fastConn {
	t.Helper()
	for range 1000 {
		s.mu.Lock()
		c := s.parkedGet
		// c.r and c.w are the connection goroutine's, but it does not
		// touch them while parked, and parks and unparks under s.mu.
		ok := c != nil && (cond == nil || cond(c))
		s.mu.Unlock()
		if ok {
			return c
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no GET parked")
	return nil
}

// TestServeParkedWakes: whatever the session has for a GET parked in a
// read of its connection cuts that read short: a ping, the close packet of
// Close, the noop of an upgrade's probe, the end of the session.
func TestServeParkedWakes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *Options
		wake func(t *testing.T, sts *serveTestServer, s *Session)
		want string
	}{
		{"ping", &Options{PingInterval: 200 * time.Millisecond, PingTimeout: 5 * time.Second},
			func(*testing.T, *serveTestServer, *Session) {}, "2"},
		{"close", nil, func(_ *testing.T, _ *serveTestServer, s *Session) { s.Close(ReasonForcedClose) }, "1"},
		{"end", nil, func(_ *testing.T, _ *serveTestServer, s *Session) { s.kill(ReasonTransportError, nil) }, "1"},
		{"upgrade", nil, func(t *testing.T, sts *serveTestServer, s *Session) {
			c := sts.dial(t, "EIO=4&transport=websocket&sid="+s.ID())
			writeText(t, c, "2probe")
			if _, f := readFrame(t, c); f != "3probe" {
				t.Errorf("probe answer %q", f)
			}
		}, "6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := newServeTestServer(t, tc.opts, false)
			sid, _ := sts.handshake(t)
			s := sts.session(t)
			hc := sts.dialHTTP(t)
			hc.send(t, getReq(sid))
			if tc.opts == nil { // the ping's timer may beat the wait
				waitParkedGET(t, s, nil)
			}
			tc.wake(t, sts, s)
			if res, body := hc.read(t); res.StatusCode != 200 || body != tc.want {
				t.Fatalf("parked GET: %d %q, want %q", res.StatusCode, body, tc.want)
			}
		})
	}
}

// TestServeParkedPipelined: a request pipelined behind a parked GET is read
// while the GET waits (it does not end the GET), kept, and answered after
// the GET.
func TestServeParkedPipelined(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	s := sts.session(t)
	hc := sts.dialHTTP(t)
	hc.send(t, getReq(sid))
	waitParkedGET(t, s, nil)
	post := postReq(sid, "4next")
	hc.send(t, post)
	// Parked again, with the POST read.
	waitParkedGET(t, s, func(c *fastConn) bool { return c.w-c.r == len(post) })
	_ = s.Send(eio.TextMessage([]byte("late")))
	if _, body := hc.read(t); body != "4late" {
		t.Fatalf("parked GET: %q", body)
	}
	if _, body := hc.read(t); body != "ok" {
		t.Fatalf("pipelined POST: %q", body)
	}
	if p := sts.msg(t); string(p.Data) != "next" {
		t.Fatalf("message %q", p.Data)
	}
	select {
	case ev := <-sts.closes:
		t.Fatalf("closed: %q %v", ev.reason, ev.err)
	default:
	}
}

// TestServeParkedPastIdle: a GET parks under the read deadline of the
// connection's wait for a request (hs.IdleTimeout); that deadline passing
// while the GET waits neither ends the GET nor its session, and the GET is
// still woken afterwards.
func TestServeParkedPastIdle(t *testing.T) {
	rec, srv := newRecServer(nil, false)
	const idle = 50 * time.Millisecond
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: idle, IdleTimeout: idle}
	sts := &serveTestServer{addr: serveOn(t, srv, hs)}
	hc := sts.dialHTTP(t)
	hc.send(t, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body := hc.read(t)
	s := rec.session(t)
	if body[0] != '0' {
		t.Fatalf("handshake: %q", body)
	}
	hc.send(t, getReq(s.ID()))
	waitParkedGET(t, s, nil)
	// Long enough for the deadline to pass (on a slow machine it may not
	// have: the test then passes without testing this).
	time.Sleep(5 * idle)
	waitParkedGET(t, s, nil)
	_ = s.Send(eio.TextMessage([]byte("late")))
	if res, body := hc.read(t); res.StatusCode != 200 || body != "4late" {
		t.Fatalf("parked GET: %d %q", res.StatusCode, body)
	}
	if !s.alive() {
		t.Fatal("session closed")
	}
}

// TestServeParkRace: a send that races the GET parking (sent as the GET
// arrives) is never lost: each GET carries the message sent with it.
func TestServeParkRace(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	s := sts.session(t)
	hc := sts.dialHTTP(t)
	for i := range 300 {
		hc.send(t, getReq(sid))
		if i%3 != 0 {
			time.Sleep(time.Duration(i%7) * 10 * time.Microsecond)
		}
		_ = s.Send(eio.TextMessage([]byte(strconv.Itoa(i))))
		if _, body := hc.read(t); body != "4"+strconv.Itoa(i) {
			t.Fatalf("GET %d: %q", i, body)
		}
	}
}

// TestServeParkedFullBuffer: a parked GET whose connection's buffer fills
// with what the client pipelines behind it (here a large POST) stops
// reading and waits for the session only; it is still woken, and the
// POST is then read whole and answered.
func TestServeParkedFullBuffer(t *testing.T) {
	sts := newServeTestServer(t, nil, false)
	sid, _ := sts.handshake(t)
	s := sts.session(t)
	hc := sts.dialHTTP(t)
	hc.send(t, getReq(sid))
	c := waitParkedGET(t, s, nil)
	big := "4" + strings.Repeat("x", 3*(maxHeadBytes+fastReadBuffer))
	go func() { _, _ = io.WriteString(hc, postReq(sid, big)) }()
	waitFull(t, s, c)
	_ = s.Send(eio.TextMessage([]byte("late")))
	if _, body := hc.read(t); body != "4late" {
		t.Fatalf("parked GET: %q", body)
	}
	if _, body := hc.read(t); body != "ok" {
		t.Fatalf("pipelined POST: %q", body)
	}
	if p := sts.msg(t); string(p.Data) != big[1:] {
		t.Fatalf("message of %d bytes, want %d", len(p.Data), len(big)-1)
	}
}

// waitFull waits until the GET of s waits with c's buffer full (not parked
// in a read).
func waitFull(t *testing.T, s *Session, c *fastConn) {
	t.Helper()
	for range 1000 {
		time.Sleep(5 * time.Millisecond)
		s.mu.Lock()
		// A GET not parked in a read does not touch the buffer
		// outside s.mu.
		full := s.getActive && s.parkedGet == nil && c.w == len(c.buf)
		s.mu.Unlock()
		if full {
			return
		}
	}
	t.Fatal("the parked GET's buffer did not fill")
}
