//go:build interop && !js

package client

import (
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/internal/nodetest"
)

// TestNodePollingCut: a poll response lost in the network (a proxy holds
// Node's answer to a long-poll GET and cuts the connection before any byte of
// it reaches the client) fails the transport, as in socket.io-client: the
// client disconnects, reconnects and, with recovery on, gets the event. A
// hidden retry of the GET (net/http's idempotent-request retry) kept the
// client "connected" and lost the event.
func TestNodePollingCut(t *testing.T) {
	// The server's heartbeat (300+300 ms) ends the abandoned session before
	// the client's reconnection (1.5 s): only then can it be recovered.
	_, url := nodeServer(t, "RECOVERY=1", "TRANSPORTS=polling", "PING_INTERVAL=300", "PING_TIMEOUT=300")
	p := startCutProxy(t, strings.TrimPrefix(url, "http://"))
	var conn <-chan struct{}
	var d <-chan string
	var echo <-chan *Event
	s := connectThen("http://"+p.addr(), &Options{Engine: engine.Options{Transports: []string{engine.Polling}},
		ReconnectionDelay: 1500 * time.Millisecond, RandomizationFactor: -1, Logger: quietLogger()}, func(s *Socket) {
		conn, d, echo = connected(s), disconnected(s), events(s, "echo")
	})
	defer s.Manager().Close()
	recv(t, conn, "connect")
	time.Sleep(700 * time.Millisecond) // a few polls: the GET's connection is a reused one
	p.arm(`"held"`)
	if err := s.Emit("echo", "held"); err != nil {
		t.Fatal(err)
	}
	recv(t, p.cut, "the proxy's cut")
	if r := recv(t, d, "disconnect after the cut"); r != engine.ReasonTransportError {
		t.Fatalf("disconnect reason %q, want %q", r, engine.ReasonTransportError)
	}
	recv(t, conn, "reconnect")
	if !s.Recovered() {
		t.Fatal("the session was not recovered")
	}
	var v string
	if err := recv(t, echo, "the held event").Decode(&v); err != nil || v != "held" {
		t.Fatalf("event %q %v", v, err)
	}
}

// TestNodePollingCutReference: socket.io-client 4.8.4 in the setup of
// TestNodePollingCut behaves as the Go client must (the reference for it).
// The script does each step when the test says so (no timers): it emits
// once the proxy is armed, and connects again once the server has ended the
// abandoned session (the heartbeat is long: a loaded machine must not end
// the session before the cut).
func TestNodePollingCutReference(t *testing.T) {
	srv, url := nodeServer(t, "RECOVERY=1", "TRANSPORTS=polling", "PING_INTERVAL=300", "PING_TIMEOUT=5000")
	p := startCutProxy(t, strings.TrimPrefix(url, "http://"))
	c := nodetest.Start(t, "client/cutclient.js", nil, "http://"+p.addr())
	c.Expect(t, "connect recovered=false", waitTimeout)
	time.Sleep(700 * time.Millisecond) // a few polls, as in TestNodePollingCut
	p.arm(`"held"`)
	if err := c.Send("emit"); err != nil {
		t.Fatal(err)
	}
	recv(t, p.cut, "the proxy's cut")
	if l, err := c.Line(waitTimeout); err != nil || l != "disconnect transport error" {
		t.Fatalf("socket.io-client printed %q (%v) after the cut, want %q", l, err, "disconnect transport error")
	}
	srv.Expect(t, "disconnect / ", waitTimeout) // the session is kept for recovery
	if err := c.Send("connect"); err != nil {
		t.Fatal(err)
	}
	// The recovered event arrives with the CONNECT reply; socket.io-client
	// delivers the events received before "connect" first (as the Go client
	// does).
	var lines []string
	for len(lines) == 0 || lines[len(lines)-1] != "connect recovered=true" {
		l, err := c.Line(waitTimeout)
		if err != nil {
			lines = append(lines, err.Error())
			break
		}
		lines = append(lines, l)
	}
	// socket.io-client reports every end of a connection to its sockets,
	// even before they connected: an attempt that fails prints another
	// "transport error" before the one that recovers.
	got := strings.Join(lines, "\n")
	for strings.HasPrefix(got, "disconnect transport error\n") {
		got = strings.TrimPrefix(got, "disconnect transport error\n")
	}
	want := []string{"echo held", "connect recovered=true"}
	if got != strings.Join(want, "\n") {
		t.Fatalf("socket.io-client printed after the reconnection:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestNodeClientDisconnectReason: Socket.Disconnect makes the server see
// "client namespace disconnect" on every transport, as socket.io-client does:
// the DISCONNECT packet is delivered before the Engine.IO session closes (on
// polling, one POST carrying both made Node see "transport close", a
// recoverable reason, and keep a session for a client that left on purpose).
func TestNodeClientDisconnectReason(t *testing.T) {
	p, url := nodeServer(t, "RECOVERY=1")
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) {
			var conn <-chan struct{}
			s := connectThen(url, &Options{Engine: engine.Options{Transports: tc.transports}, Logger: quietLogger()}, func(s *Socket) { conn = connected(s) })
			defer s.Manager().Close()
			recv(t, conn, "connect")
			deadline := time.Now().Add(waitTimeout)
			for s.Manager().Transport() != tc.want && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			id := s.ID()
			s.Disconnect()
			line := p.Expect(t, "disconnect / "+id+" ", waitTimeout)
			if reason := strings.TrimPrefix(line, "disconnect / "+id+" "); reason != "client namespace disconnect" {
				t.Fatalf("the server saw %q, want %q", reason, "client namespace disconnect")
			}
		})
	}
}
