//go:build linux

package engine

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/server/internal/ws"
)

// newParkingServer is newTestServer with parking on.
func newParkingServer(t *testing.T, opts *Options, echo bool) *testServer {
	t.Helper()
	ts := newTestServer(t, opts, echo)
	ts.srv.idle.mu.Lock()
	ts.srv.idle.enabled = true
	ts.srv.idle.mu.Unlock()
	return ts
}

// parkedCount returns how many sessions of srv are parked, and whether a
// poller is running.
func parkedCount(srv *Server) (int, bool) {
	srv.idle.mu.Lock()
	defer srv.idle.mu.Unlock()
	if srv.idle.p == nil {
		return 0, false
	}
	return len(srv.idle.p.regs), true
}

// waitParked waits (bounded) until n sessions of srv are parked.
func waitParked(t *testing.T, srv *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := parkedCount(srv)
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions parked, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitPollerEnded waits (bounded) until srv has no poller running.
func waitPollerEnded(t *testing.T, srv *Server) {
	t.Helper()
	deadline := time.Now().Add(idlePollLinger + 5*time.Second)
	for {
		if _, running := parkedCount(srv); !running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the idle poller is still running with nothing to watch")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestParkedSessionEcho: a parked session resumes when a message arrives,
// answers it, and parks again once the message came after a long wait.
func TestParkedSessionEcho(t *testing.T) {
	ts := newParkingServer(t, nil, true)
	rc := ts.dialRaw(t, "")
	ts.session(t)
	waitParked(t, ts.srv, 1)
	for i := range 3 {
		rc.write(frame(0x81, []byte("4hello")))
		if op, p := rc.read(); op != ws.OpText || string(p) != "4hello" {
			t.Fatalf("round %d: echo %d %q", i, op, p)
		}
		waitParked(t, ts.srv, 1) // handoffs < idleHandoffs: parks again at once
	}
	// A frame in two pieces: the first wakes the session, which then waits
	// for the rest itself.
	f := frame(0x81, []byte("4split"))
	rc.write(f[:3])
	time.Sleep(20 * time.Millisecond)
	rc.write(f[3:])
	if _, p := rc.read(); string(p) != "4split" {
		t.Fatalf("echo %q", p)
	}
	rc.c.Close()
	if ev := ts.closed(t); ev.reason != ReasonTransportClose {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
	waitParked(t, ts.srv, 0)
	waitPollerEnded(t, ts.srv)
}

// TestParkedSessionDataWhileParking: messages sent right after the open
// packet (arriving before, during or after the session parks) are all read.
func TestParkedSessionDataWhileParking(t *testing.T) {
	ts := newParkingServer(t, nil, true)
	for i := range 30 {
		rc := ts.dialRaw(t, "")
		rc.write(frame(0x81, []byte("4a")), frame(0x81, []byte("4b")))
		for _, want := range []string{"4a", "4b"} {
			if _, p := rc.read(); string(p) != want {
				t.Fatalf("session %d: echo %q, want %q", i, p, want)
			}
		}
		rc.write(frame(0x88, closePayload(1000, "")))
		if code := rc.readClose(); code != 1000 {
			t.Fatalf("close code %d", code)
		}
		rc.expectEOF()
		if ev := ts.closed(t); ev.reason != ReasonTransportClose {
			t.Fatalf("close %q", ev.reason)
		}
	}
	waitParked(t, ts.srv, 0)
}

// TestParkedSessionClosedByServer: Session.Close of a parked session sends
// the close frame and the client's reply (an event) ends the connection.
func TestParkedSessionClosedByServer(t *testing.T) {
	ts := newParkingServer(t, nil, false)
	rc := ts.dialRaw(t, "")
	s := ts.session(t)
	waitParked(t, ts.srv, 1)
	s.Close(ReasonForcedClose)
	if code := rc.readClose(); code != 1000 {
		t.Fatalf("close code %d", code)
	}
	if ev := ts.closed(t); ev.reason != ReasonForcedClose {
		t.Fatalf("close %q", ev.reason)
	}
	rc.write(frame(0x88, closePayload(1000, "")))
	rc.expectEOF()
	waitParked(t, ts.srv, 0)
}

// TestParkedSessionCloseWait: a client that never answers the server's close
// frame is cut after wsCloseWait although its session was parked (a read
// deadline alone would not wake it).
func TestParkedSessionCloseWait(t *testing.T) {
	ts := newParkingServer(t, nil, false)
	rc := ts.dialRaw(t, "")
	s := ts.session(t)
	waitParked(t, ts.srv, 1)
	s.Close(ReasonForcedClose)
	if code := rc.readClose(); code != 1000 {
		t.Fatalf("close code %d", code)
	}
	ts.closed(t)
	rc.expectEOF() // within wsCloseWait (rc's deadline is 15 s)
}

// TestParkedSessionClientCloses: the client ending the TCP connection or
// sending a close frame ends a parked session.
func TestParkedSessionClientCloses(t *testing.T) {
	ts := newParkingServer(t, nil, false)
	rc := ts.dialRaw(t, "")
	ts.session(t)
	waitParked(t, ts.srv, 1)
	rc.c.Close()
	if ev := ts.closed(t); ev.reason != ReasonTransportClose {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
	waitParked(t, ts.srv, 0)

	rc = ts.dialRaw(t, "")
	ts.session(t)
	waitParked(t, ts.srv, 1)
	rc.write(frame(0x88, closePayload(1001, "")))
	if code := rc.readClose(); code != 1001 && code != 1000 {
		t.Fatalf("close code %d", code)
	}
	rc.expectEOF()
	if ev := ts.closed(t); ev.reason != ReasonTransportClose {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
	waitParked(t, ts.srv, 0)
}

// TestParkedSessionHeartbeat: a parked session whose client does not answer
// pings is closed by the ping timeout.
func TestParkedSessionHeartbeat(t *testing.T) {
	ts := newParkingServer(t, shortHeartbeat, false)
	rc := ts.dialRaw(t, "")
	ts.session(t)
	if op, p := rc.read(); op != ws.OpText || string(p) != "2" {
		t.Fatalf("%d %q, want a ping", op, p)
	}
	if ev := ts.closed(t); ev.reason != ReasonPingTimeout {
		t.Fatalf("close %q", ev.reason)
	}
	if code := rc.readClose(); code != 1000 {
		t.Fatalf("close code %d", code)
	}
	rc.write(frame(0x88, closePayload(1000, "")))
	rc.expectEOF()
	waitParked(t, ts.srv, 0)
}

// TestParkedSessionsServerClose: Server.Close ends parked sessions (each
// client gets a close frame), their readers and the poller.
func TestParkedSessionsServerClose(t *testing.T) {
	ts := newParkingServer(t, nil, false)
	const n = 3
	var rcs []*rawClient
	for range n {
		rcs = append(rcs, ts.dialRaw(t, ""))
		ts.session(t)
	}
	waitParked(t, ts.srv, n)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- ts.srv.Close(ctx)
	}()
	for i, rc := range rcs {
		if code := rc.readClose(); code != 1000 {
			t.Fatalf("client %d: close code %d", i, code)
		}
		rc.write(frame(0x88, closePayload(1000, "")))
		rc.expectEOF()
	}
	for range n {
		if ev := ts.closed(t); ev.reason != ReasonServerShutdown {
			t.Fatalf("close %q", ev.reason)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, running := parkedCount(ts.srv); running {
		t.Fatal("the idle poller runs after Close")
	}
}

// TestParkedUpgradedSession: a polling session upgraded to websocket parks
// and is served from there.
func TestParkedUpgradedSession(t *testing.T) {
	ts := newParkingServer(t, nil, true)
	sid, _ := ts.handshake(t)
	c := ts.dial(t, "EIO=4&transport=websocket&sid="+sid)
	writeText(t, c, "2probe")
	if _, f := readFrame(t, c); f != "3probe" {
		t.Fatalf("probe reply %q", f)
	}
	writeText(t, c, "5")
	waitParked(t, ts.srv, 1)
	writeText(t, c, "4up")
	if _, f := readFrame(t, c); f != "4up" {
		t.Fatalf("echo %q", f)
	}
	waitParked(t, ts.srv, 1)
	_ = c.CloseNow()
	ts.closed(t)
	waitParked(t, ts.srv, 0)
}

// TestIdleSessionsHaveNoGoroutine: idle websocket sessions are parked, not
// goroutines, and still answer.
func TestIdleSessionsHaveNoGoroutine(t *testing.T) {
	ts := newParkingServer(t, &Options{Logger: discardLogger()}, true)
	const n = 50
	before := runtime.NumGoroutine()
	addr := strings.TrimPrefix(ts.ts.URL, "http://")
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := rawWebsocket(addr, "/engine.io/")
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		ts.session(t)
	}
	waitParked(t, ts.srv, n)
	// Besides the poller, a few goroutines of the test's HTTP server may be
	// ending; 50 sessions with a reader each would be 50 more.
	if extra := runtime.NumGoroutine() - before; extra > 10 {
		t.Fatalf("%d goroutines more with %d idle sessions", extra, n)
	}
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for _, c := range conns {
		wg.Go(func() {
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(frame(0x81, []byte("4x"))); err != nil {
				errs <- err.Error()
				return
			}
			var b [4]byte
			if _, err := io.ReadFull(c, b[:]); err != nil || string(b[2:]) != "4x" {
				errs <- "echo " + string(b[:]) + " " + errString(err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, c := range conns {
		c.Close()
	}
	for range n {
		ts.closed(t)
	}
	waitParked(t, ts.srv, 0)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
