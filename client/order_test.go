package client

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/protocol/eio"
)

// TestHandlerOrder pins the order documented in doc.go, for a connection
// with two namespaces: open, connect, events, the connection's end,
// reconnection, and a server disconnect of the last socket. The order is the
// same whether handlers run on the Manager's goroutine or, with
// NonBlockingHandlers, on the receiving one (here one socket each way, and
// both inline).
func TestHandlerOrder(t *testing.T) {
	for _, c := range []struct {
		name   string
		inline [2]bool
	}{{"loop", [2]bool{}}, {"mixed", [2]bool{true, false}}, {"inline", [2]bool{true, true}}} {
		t.Run(c.name, func(t *testing.T) { testHandlerOrder(t, c.inline) })
	}
}

func testHandlerOrder(t *testing.T, inline [2]bool) {
	m, dials := fakeManager(t, &Options{ReconnectionDelay: time.Millisecond, RandomizationFactor: -1})
	var (
		mu  sync.Mutex
		got []string
	)
	note := func(format string, args ...any) {
		mu.Lock()
		got = append(got, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	m.OnOpen(func() { note("open") })
	m.OnClose(func(r string) { note("close %s", r) })
	m.OnReconnectAttempt(func(n int) { note("attempt %d", n) })
	m.OnReconnect(func(n int) { note("reconnect %d", n) })
	a := m.Socket("/a", &SocketOptions{AuthFunc: func() any { note("auth a"); return nil }, NonBlockingHandlers: inline[0]})
	b := m.Socket("/b", &SocketOptions{AuthFunc: func() any { note("auth b"); return nil }, NonBlockingHandlers: inline[1]})
	for _, s := range []*Socket{a, b} {
		s.OnConnect(func() { note("connect %s", s.Namespace()) })
		s.OnDisconnect(func(r string) { note("disconnect %s %s", s.Namespace(), r) })
		s.OnAny(func(e *Event) { note("any %s %s", s.Namespace(), e.Name) })
		s.On("ev", func(e *Event) { note("on %s %s", s.Namespace(), e.Name) })
	}
	done := make(chan struct{}, 1)
	b.On("last", func(*Event) { done <- struct{}{} })
	steps := func(want ...string) {
		t.Helper()
		recv(t, done, "the last handler")
		mu.Lock()
		defer mu.Unlock()
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Fatalf("handlers ran in the order\n%s\nwant\n%s", g, w)
		}
		got = nil
	}

	f := newFakeEngine()
	dials <- f
	f.next(t)
	f.next(t)
	f.feed(`2/a,["ev"]`) // before a's CONNECT reply: buffered
	f.feed(`0/a,{"sid":"A"}`)
	f.feed(`0/b,{"sid":"B"}`)
	f.feed(`2/b,["last"]`)
	steps("auth a", "auth b", "open", "any /a ev", "on /a ev", "connect /a", "connect /b", "any /b last")
	if err := a.Emit("x", AckFunc(func(_ Args, err error) { note("ack /a %v", err) })); err != nil {
		t.Fatal(err)
	}
	f.end(engine.ReasonPingTimeout)
	f2 := newFakeEngine()
	dials <- f2
	f2.next(t)
	f2.next(t)
	f2.feed(`0/a,{"sid":"A2"}`)
	f2.feed(`0/b,{"sid":"B2"}`)
	f2.feed(`2/b,["last"]`)
	steps("close ping timeout", "ack /a "+ErrDisconnected.Error(), "disconnect /a ping timeout", "disconnect /b ping timeout",
		"attempt 1", "auth a", "auth b", "open", "reconnect 1", "connect /a", "connect /b", "any /b last")
	m.OnClose(func(string) { done <- struct{}{} })
	a.Disconnect()
	f2.feed(`1/b,`)
	steps("disconnect /a io client disconnect", "disconnect /b io server disconnect", "close forced close")
}

// TestReceiveWaitsForSlowHandlers: natively, the reader that hands packets
// to the Manager (receive with mayWait) waits while maxPending callbacks
// are queued behind a slow handler, instead of queueing without bound.
func TestReceiveWaitsForSlowHandlers(t *testing.T) {
	m, dials := fakeManager(t, nil)
	s := m.Socket("/", nil)
	conn := connected(s)
	release := make(chan struct{})
	var seen sync.WaitGroup
	seen.Add(1 + maxPending + 10)
	first := true
	s.On("m", func(*Event) {
		if first {
			first = false
			<-release // the loop is busy here
		}
		seen.Done()
	})
	f := newFakeEngine()
	dials <- f
	f.next(t)
	f.feed(`0{"sid":"abc"}`)
	recv(t, conn, "connect")
	f.feed(`2["m"]`) // blocks the loop in the handler
	time.Sleep(50 * time.Millisecond)
	pkts := make([]eio.Packet, maxPending+10)
	for i := range pkts {
		pkts[i] = eio.TextMessage([]byte(`2["m"]`))
	}
	done := make(chan struct{})
	go func() {
		m.receive(f, pkts, true)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("receive returned with more than maxPending callbacks queued")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	recv(t, done, "receive's return once the handler let go")
	seen.Wait()
}
