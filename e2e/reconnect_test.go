//go:build !js

package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

// TestReconnectAfterServerRestart: the Go server stops (as a process would)
// and starts again on the same port. The page's emits made while it was
// disconnected are buffered and delivered exactly once, in order, after the
// reconnection.
func TestReconnectAfterServerRestart(t *testing.T) {
	for _, tr := range []string{"", "polling", "websocket"} {
		t.Run("transports="+tr, func(t *testing.T) {
			g := startGoServer(t, goServerOptions{})
			q := url.Values{"opts": {`{"reconnectionDelay":200,"reconnectionDelayMax":500}`}}
			if tr != "" {
				q.Set("opts", `{"reconnectionDelay":200,"reconnectionDelayMax":500,"transports":["`+tr+`"]}`)
			}
			tb := newTab(t, "reconnect")
			tb.navigate(g.origin + "/testdata/drive.html?" + q.Encode())
			first := tb.waitConsole("log: connect ", waitLong)
			g.waitEvent("connection ", waitShort)

			g.stop()
			tb.waitConsole("log: disconnect ", waitShort)
			if c := eval[bool](tb, "s.connected"); c {
				t.Fatal("socket.connected is true after the server stopped")
			}
			eval[bool](tb, `for (let i = 1; i <= 5; i++) s.emit("count", i); true`)
			time.Sleep(300 * time.Millisecond) // let a reconnection attempt or two fail

			g2 := startGoServer(t, goServerOptions{addr: strings.TrimPrefix(g.origin, "http://")})
			tb.waitConsoleN("log: connect ", 2, waitLong)
			if got := eval[string](tb, `s.emitWithAck("done", "x")`); got != "ok" {
				t.Fatalf("done ack %q", got)
			}
			g2.waitEvent("done ", waitShort)
			var counts []string
			for _, l := range g2.recorded() {
				if strings.HasPrefix(l, "count ") {
					counts = append(counts, strings.TrimPrefix(l, "count "))
				}
			}
			if fmt.Sprint(counts) != "[1 2 3 4 5]" {
				t.Fatalf("counts after the restart: %v, want [1 2 3 4 5] exactly once, in order", counts)
			}
			for _, l := range g.recorded() {
				if strings.HasPrefix(l, "count ") {
					t.Fatalf("the stopped server got %q", l)
				}
			}
			t.Logf("first %q; reconnected: %q", first, tb.waitConsoleN("log: connect ", 2, waitShort))
		})
	}
}

// TestConnectionStateRecovery: the transport is cut while the server keeps
// running; events emitted to the socket's rooms meanwhile arrive after the
// reconnection, with the same socket id and socket.recovered true.
func TestConnectionStateRecovery(t *testing.T) {
	for _, page := range []string{"drive.html", "drive-official.html"} {
		t.Run(page, func(t *testing.T) { testRecovery(t, page) })
	}
}

func testRecovery(t *testing.T, page string) {
	g := startGoServer(t, goServerOptions{opts: &server.Options{
		ConnectionStateRecovery: &server.RecoveryOptions{},
		Engine:                  engine.Options{PingInterval: 2 * time.Second, PingTimeout: 2 * time.Second},
	}})
	q := url.Values{"opts": {`{"reconnectionDelay":200,"reconnectionDelayMax":500,"transports":["websocket"]}`}}
	tb := newTab(t, "recovery")
	tb.navigate(g.origin + "/testdata/" + page + "?" + q.Encode())
	line := tb.waitConsole("log: connect ", waitLong)
	id := strings.Fields(line)[2] // "log: connect <id> recovered=false"
	if !strings.HasSuffix(line, "recovered=false") {
		t.Fatalf("first connection: %q", line)
	}
	if got := eval[string](tb, `s.timeout(5000).emitWithAck("join", "r")`); got != "r" {
		t.Fatalf("join ack %q", got)
	}
	// An event before the cut, to have an offset to recover from.
	if err := g.srv.To("r").Emit("before", 0); err != nil {
		t.Fatal(err)
	}
	// With recovery on, the server appends each event's offset as a last
	// string argument, and socket.io-client passes it to the listeners too.
	tb.waitConsole(`event before [0,"`, waitShort)

	if n := g.cut(); n == 0 {
		t.Fatal("no connection to cut")
	}
	g.waitEvent("disconnect "+id, waitLong)
	for i := 1; i <= 3; i++ {
		if err := g.srv.To("r").Emit("missed", i, map[string]any{"bin": []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.srv.To(id).Emit("missed", 4); err != nil {
		t.Fatal(err)
	}
	again := tb.waitConsoleN("log: connect ", 2, waitLong)
	if again != "log: connect "+id+" recovered=true" {
		t.Fatalf("reconnection: %q, want the same id %s recovered=true", again, id)
	}
	for i := 1; i <= 3; i++ {
		tb.waitConsole(fmt.Sprintf(`event missed [%d,{"bin":"bin:%d"},"`, i, i), waitShort)
	}
	tb.waitConsole(`event missed [4,"`, waitShort)
	g.waitEvent("connection "+id+" recovered=true ", waitShort)
	for i := 1; i <= 3; i++ {
		if n := tb.countConsole(fmt.Sprintf(`event missed [%d,`, i)); n != 1 {
			t.Errorf("missed %d arrived %d times", i, n)
		}
	}
	if n := tb.countConsole(`event before [0,`); n != 1 {
		t.Errorf("the event before the cut arrived %d times", n)
	}
	t.Logf("console:\n%s", tb.console())
}
