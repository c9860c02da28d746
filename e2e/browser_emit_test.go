//go:build !js

package e2e

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/duplexio/duplex/server"
)

// The loader's emit fast path (client/dist/socket.io.js, Socket._send): a
// plain emit (no ack, no binary) of a socket connected over the WebSocket
// the loader holds is written by the loader itself when Go has nothing
// queued before it; anything else goes through Go. These tests check the
// order the Go server sees, the frames on the wire, and which emits took
// the fast path (io.duplex.stats.sent).

// emitServer is a Go server that records every event its sockets of "/",
// "/b", "/c" and "/r" receive, in the order it reads them ("emit <nsp>
// <name> [<args>]", " +ack" when acked, " att=<n>" with attachments); an
// event with an ack is acked with "ok".
func emitServer(t *testing.T) *goServer {
	var g *goServer
	watch := func(s *server.Socket) {
		recordEmits(t, s, func(l string) { g.record(l) })
	}
	g = startGoServer(t, goServerOptions{onConnect: watch})
	for _, nsp := range []string{"/b", "/c", "/r"} {
		g.srv.Of(nsp).OnConnection(watch)
	}
	return g
}

// emitsSeen waits for the server's "emit / end []" and returns the emits it
// recorded, in order.
func emitsSeen(g *goServer) []string {
	g.waitEvent("emit / end []", waitLong)
	var out []string
	for _, l := range g.recorded() {
		if strings.HasPrefix(l, "emit ") {
			out = append(out, strings.TrimPrefix(l, "emit "))
		}
	}
	return out
}

// TestBrowserEmitFastPath: plain emits mixed with emits that go through Go
// (with an ack, with a timeout and an ack, with binary, of a socket with
// retries, buffered while its socket connects) reach the Go server in the
// order the page made them, over several namespaces of one connection;
// onAnyOutgoing sees every emit; the plain ones of a connected socket are
// written by the loader on a WebSocket (from the start, or after the
// upgrade from polling) and by Go on polling. An emit made by a connect
// listener comes after the emits Go buffered before the connection, which
// Go queues in the same call.
func TestBrowserEmitFastPath(t *testing.T) {
	for _, c := range writeTransports {
		t.Run(c.name, func(t *testing.T) {
			g := emitServer(t)
			tb := driveTab(t, g, "emit-"+c.name, c.opts)
			eval[bool](tb, `(async () => {
				const until = (f) => new Promise((res) => { const t = setInterval(() => { if (f()) { clearInterval(t); res(); } }, 10); });
				const opts = `+c.opts+`;
				window.b = io(location.origin + "/b", opts);
				window.r = io(location.origin + "/r", Object.assign({ retries: 1 }, opts));
				await until(() => b.connected && r.connected);
				if (!("transports" in opts)) await until(() => s.io.engine.transport.name === "websocket");
				window.out = [];
				s.onAnyOutgoing((n, ...a) => out.push("/ " + n + " " + a.length));
				b.onAnyOutgoing((n, ...a) => out.push("/b " + n + " " + a.length));
				return true;
			})()`)
			sent0 := eval[int](tb, `io.duplex.stats.sent || 0`)
			got := eval[[]string](tb, `(async () => {
				const acks = [];
				s.emit("p", 1);
				s.emit("a", 2, (x) => acks.push(x));
				s.emit("p", 3);
				s.emit("bin", new Uint8Array([1, 2]));
				b.emit("p", 4);
				s.emit("p", 5, { x: undefined, y: [undefined, 1], z: "é\"" }, null);
				s.timeout(5000).emit("a", 6, (err, x) => acks.push(x));
				r.emit("p", 7);
				s.volatile.emit("p", 8);
				b.emit("p", 9);
				s.compress(false).emit("p", 10);
				await new Promise((res) => { const t = setInterval(() => { if (acks.length === 2) { clearInterval(t); res(); } }, 10); });
				return out.concat(acks);
			})()`)
			want := []string{"/ p 1", "/ a 1", "/ p 1", "/ bin 1", "/b p 1", "/ p 3", "/ a 1", "/ p 1", "/b p 1", "/ p 1", "ok", "ok"}
			if !slices.Equal(got, want) {
				t.Errorf("onAnyOutgoing and the acks saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			sent1 := eval[int](tb, `io.duplex.stats.sent || 0`)
			// A socket connecting: its emits are buffered by Go, and the
			// emit of its connect listener goes after them, although the
			// loader has just written an emit itself.
			eval[bool](tb, `(async () => {
				const c = io(location.origin + "/c", Object.assign({ autoConnect: false }, `+c.opts+`));
				c.emit("buf", 1);
				c.emit("buf", 2);
				c.on("connect", () => { c.emit("p", 3); s.emit("p", 11); });
				c.connect();
				s.emit("p", 12);
				await new Promise((res) => c.on("connect", res));
				s.emit("end");
				return true;
			})()`)
			seen := emitsSeen(g)
			wantSeen := []string{
				`/ p [1]`,
				`/ a [2] +ack`,
				`/ p [3]`,
				`/ bin [{"_placeholder":true,"num":0}] att=1`,
				`/b p [4]`,
				`/ p [5,{"y":[null,1],"z":"é\""},null]`,
				`/ a [6] +ack`,
				`/r p [7] +ack`,
				`/ p [8]`,
				`/b p [9]`,
				`/ p [10]`,
				`/ p [12]`,
				`/c buf [1]`,
				`/c buf [2]`,
				`/c p [3]`,
				`/ p [11]`,
				`/ end []`,
			}
			if !slices.Equal(seen, wantSeen) {
				t.Errorf("the server saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(wantSeen, "\n"))
			}
			// The plain emits of connected sockets without retries: p1, p3,
			// p4, p5, p8, p9, p10; then p12 at least (p3 of "/c" and p11 may
			// go through Go: they come while Go writes the buffered ones).
			fast, fastAfter := sent1-sent0, eval[int](tb, `io.duplex.stats.sent || 0`)-sent1
			if c.fast && (fast != 7 || fastAfter < 2) {
				t.Errorf("%d and %d emits took the fast path, want 7 and at least 2 (p12, end)", fast, fastAfter)
			}
			if !c.fast && fast+fastAfter != 0 {
				t.Errorf("%d emits took the fast path on polling, want 0", fast+fastAfter)
			}
			if ex := tb.exceptions(); len(ex) > 0 {
				t.Errorf("uncaught exceptions: %q", ex)
			}
		})
	}
}

// writeTransports are the connections the loader's own writes are tested
// on: a WebSocket from the start, one after the upgrade from polling (fast:
// the loader writes the plain packets), and polling only (Go writes them).
var writeTransports = []struct {
	name, opts string
	fast       bool
}{
	{"websocket", `{"transports":["websocket"]}`, true},
	{"upgrade", `{}`, true},
	{"polling", `{"transports":["polling"]}`, false},
}

// driveTab opens drive.html of g with io() options opts and waits for its
// socket s to connect.
func driveTab(t *testing.T, g *goServer, name, opts string) *tab {
	tb := newTab(t, name)
	tb.navigate(g.origin + "/testdata/drive.html?" + url.Values{"opts": {opts}}.Encode())
	tb.waitConsole("log: connect ", waitLong)
	return tb
}

// recordEmits has s record every event it receives through record, in the
// order it reads them: "emit <nsp> <name> [<args>]", " att=<n>" with
// attachments, " +ack" when acked (with "ok").
func recordEmits(t testing.TB, s *server.Socket, record func(string)) {
	nsp := s.Namespace().Name()
	s.OnAny(func(e *server.Event) {
		raw := make([]string, 0, e.Args.Len())
		for _, r := range e.Args.All() {
			raw = append(raw, string(r))
		}
		line := "emit " + nsp + " " + e.Name + " [" + strings.Join(raw, ",") + "]"
		if n := len(e.Args.Attachments()); n > 0 {
			line += " att=" + strconv.Itoa(n)
		}
		if e.HasAck() {
			line += " +ack"
			if err := e.Ack("ok"); err != nil {
				t.Errorf("ack: %v", err)
			}
		}
		record(line)
	})
}
