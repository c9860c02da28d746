//go:build interop && !js

package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/protocol/eio"
)

// TestInteropEngineIOClient runs the official engine.io-client against the
// server, which echoes every message: text and binary over websocket only,
// polling only, and polling upgraded to websocket.
func TestInteropEngineIOClient(t *testing.T) {
	for _, mode := range []string{"websocket", "polling", "upgrade"} {
		t.Run(mode, func(t *testing.T) {
			ts := newTestServer(t, nil, true)
			p := nodetest.Start(t, "engine/client.js", nil, ts.ts.URL, mode)
			want := []string{"open " + map[string]string{"websocket": "websocket"}[mode]}
			if mode != "websocket" {
				want[0] = "open polling"
			}
			if mode == "upgrade" {
				want = append(want, "upgraded websocket")
			}
			want = append(want,
				"echo text hello-"+mode,
				"echo text café 😀 -free",
				"echo binary 01020304ff00",
				"closed forced close",
			)
			for _, w := range want {
				l, err := p.Line(15 * time.Second)
				if err != nil {
					t.Fatalf("waiting for %q: %v", w, err)
				}
				if l != w {
					t.Fatalf("got %q, want %q", l, w)
				}
			}
			if err := p.Wait(10 * time.Second); err != nil {
				t.Fatalf("client: %v", err)
			}
			c := ts.closed(t)
			if c.reason != ReasonTransportClose {
				t.Errorf("server close reason %q, want %q", c.reason, ReasonTransportClose)
			}
		})
	}
}

// TestInteropHeartbeat keeps the official client connected across several
// pings with a short interval, on each transport. (The pong timeout is
// generous: the machine running the tests may be loaded, and the client
// closes if no ping comes within pingInterval+pingTimeout.)
func TestInteropHeartbeat(t *testing.T) {
	for _, mode := range []string{"websocket", "polling", "upgrade"} {
		t.Run(mode, func(t *testing.T) {
			ts := newTestServer(t, &Options{PingInterval: 250 * time.Millisecond, PingTimeout: 2 * time.Second}, true)
			p := nodetest.Start(t, "engine/client.js", nil, ts.ts.URL, mode, "4")
			got := clientLines(t, p)
			if !strings.Contains(strings.Join(got, "\n"), fmt.Sprintf("ping %d", 4)) {
				t.Fatalf("no 4 pings: %q", got)
			}
			if c := ts.closed(t); c.reason != ReasonTransportClose {
				t.Errorf("server close reason %q, want %q", c.reason, ReasonTransportClose)
			}
		})
	}
}

// TestInteropServerClose checks that the official client understands the
// server closing a session: "1" in a polling response, a websocket close.
func TestInteropServerClose(t *testing.T) {
	for _, mode := range []string{"websocket", "polling", "upgrade"} {
		t.Run(mode, func(t *testing.T) {
			closes := make(chan string, 1)
			srv := NewServer(&Options{Logger: discardLogger(), OnSession: func(s *Session) {
				s.SetHandler(handlerFunc{
					msg: func(p eio.Packet) {
						if string(p.Data) == "close-me" {
							_ = s.Send(eio.TextMessage([]byte("bye")))
							s.Close(ReasonForcedClose)
							return
						}
						_ = s.Send(p)
					},
					close: func(reason string, err error) { closes <- reason },
				})
			}})
			ts := newRawServer(t, srv)
			p := nodetest.Start(t, "engine/client.js", nil, ts.ts.URL, mode, "0", "serverclose")
			got := clientLines(t, p)
			if got[len(got)-2] != "echo text bye" || got[len(got)-1] != "closed transport close" {
				t.Fatalf("client saw %q", got)
			}
			select {
			case r := <-closes:
				if r != ReasonForcedClose {
					t.Fatalf("server close reason %q", r)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no OnClose")
			}
		})
	}
}

// clientLines reads the lines engine/client.js prints until it reports its
// close, failing on an "error" line, and waits for the script to exit.
func clientLines(t *testing.T, p *nodetest.Process) []string {
	t.Helper()
	var got []string
	for {
		l, err := p.Line(15 * time.Second)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, l)
		if strings.HasPrefix(l, "error") {
			t.Fatalf("client: %q", got)
		}
		if strings.HasPrefix(l, "closed") {
			break
		}
	}
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatalf("client: %v (%q)", err, got)
	}
	return got
}

// TestInteropPerMessageDeflate: the official client (Node's ws) negotiates
// permessage-deflate with a server that enables it and exchanges compressed
// messages both ways (text, binary, non-ASCII text).
func TestInteropPerMessageDeflate(t *testing.T) {
	ts := newTestServer(t, &Options{PerMessageDeflate: true}, true)
	p := nodetest.Start(t, "engine/deflate.js", nil, ts.ts.URL)
	got := clientLines(t, p)
	t.Logf("client: %q", got)
	joined := strings.Join(got, "\n")
	if len(got) == 0 || !strings.Contains(got[0], "permessage-deflate") || !strings.HasSuffix(joined, "closed done") {
		t.Fatalf("client: %q", got)
	}
}

// TestInteropDeflateBroadcast: official clients that negotiated
// permessage-deflate receive a broadcast compressed once for all of them.
func TestInteropDeflateBroadcast(t *testing.T) {
	const n, m = 10, 3
	ts := newTestServer(t, &Options{PerMessageDeflate: true}, false)
	p := nodetest.Start(t, "engine/deflatebcast.js", nil, ts.ts.URL, fmt.Sprint(n), fmt.Sprint(m))
	l, err := p.Line(15 * time.Second)
	if err != nil || !strings.HasPrefix(l, fmt.Sprintf("opened %d ", n)) || !strings.Contains(l, "permessage-deflate") {
		t.Fatalf("client: %q, %v", l, err)
	}
	var sessions []*Session
	for range n {
		sessions = append(sessions, ts.session(t))
	}
	before := ts.srv.deflate.Compressions()
	for i := range m {
		msg := eio.TextMessage(fmt.Appendf(nil, "bcast %d %s", i, strings.Repeat(fmt.Sprintf("json-like %d ", i), 150)))
		for _, s := range sessions {
			if err := s.Send(msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := clientLines(t, p)
	if got[len(got)-2] != fmt.Sprintf("received %d ok", n*m) {
		t.Fatalf("client: %q", got)
	}
	if c := ts.srv.deflate.Compressions() - before; c != m {
		t.Fatalf("%d compressions for %d messages to %d clients, want %d", c, m, n, m)
	}
}
