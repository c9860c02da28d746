//go:build !js

package e2e

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

// The loader's fast path (client/dist/socket.io.js, receive): plain events
// of a namespace the Go Manager lists are parsed and dispatched in
// JavaScript, everything else goes through Go. These tests have the server
// send scripted frames in one burst (so that they reach the page in one
// task) and check what the page sees, in order, on the wasm io and on the
// official client, and the frames the page sends (acks).

// scriptServer is a Go server whose "/" sockets run a script on
// emit("script", [step, ...], ack): each step is "raw:<Socket.IO packet
// text>" (sent as is, on the socket's Engine.IO session), "bin" (emit "bin"
// with 2 bytes), "ack" (answer the script's ack with "acked") or
// "disc:/b" (the server disconnects the page's "/b" socket).
func scriptServer(t *testing.T, opts *server.Options) *goServer {
	var mu sync.Mutex
	bsocks := map[*engine.Session]*server.Socket{}
	g := startGoServer(t, goServerOptions{opts: opts, onConnect: func(s *server.Socket) {
		s.On("script", func(e *server.Event) {
			var steps []string
			if err := e.Decode(&steps); err != nil {
				t.Errorf("script: %v", err)
				return
			}
			for _, st := range steps {
				var err error
				switch {
				case strings.HasPrefix(st, "raw:"):
					err = s.Conn().Send(eio.Packet{Type: eio.Message, Data: []byte(st[4:])})
				case st == "bin":
					err = s.Emit("bin", []byte{1, 2})
				case st == "ack":
					err = e.Ack("acked")
				case st == "disc:/b":
					mu.Lock()
					b := bsocks[s.Conn()]
					mu.Unlock()
					if b == nil {
						t.Errorf("script: no /b socket on the session")
						continue
					}
					b.Disconnect(false)
				default:
					t.Errorf("script: unknown step %q", st)
				}
				if err != nil {
					t.Errorf("script step %q: %v", st, err)
				}
			}
		})
	}})
	g.srv.Of("/b").OnConnection(func(s *server.Socket) {
		mu.Lock()
		bsocks[s.Conn()] = s
		mu.Unlock()
	})
	return g
}

// recorderJS installs window.rec on a drive page: rec.seen lists what the
// watched sockets report ("<tag> <event> <args as JSON>[ +ack]", "<tag>
// connect", "<tag> disconnect <reason>"; "welcome" events left out),
// rec.sent the text frames the page's WebSockets sent, and rec.run(steps,
// ends) emits the script and resolves when the line ends (by default, one
// more "/ end []") is seen.
const recorderJS = `(() => {
  const seen = [], sent = [];
  const show = (a) => JSON.stringify(a, (k, v) => (v instanceof ArrayBuffer ? "bin:" + Array.from(new Uint8Array(v)).join(",") : v));
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    if (typeof d === "string") sent.push(d);
    return send.call(this, d);
  };
  const watch = (tag, sock) => {
    sock.onAny((n, ...a) => {
      if (n === "welcome") return;
      const ack = typeof a[a.length - 1] === "function" ? " +ack" : "";
      seen.push(tag + " " + String(n) + " " + show(a.filter((x) => typeof x !== "function")) + ack);
    });
    sock.on("connect", () => seen.push(tag + " connect"));
    sock.on("disconnect", (r) => seen.push(tag + " disconnect " + r));
  };
  const until = (f) => new Promise((res) => { const t = setInterval(() => { if (f()) { clearInterval(t); res(); } }, 10); });
  const run = async (steps, ends) => {
    const n = seen.filter((l) => l === "/ end []").length;
    s.emit("script", steps, (...a) => seen.push("ack " + show(a)));
    await until(() => (ends ? seen.includes(ends) : seen.filter((l) => l === "/ end []").length > n));
  };
  window.rec = { seen, sent, watch, run, until };
  watch("/", s);
  return true;
})()`

// fastPage opens page (a drive page) with the socket options opts, waits
// for the connection and installs the recorder.
func fastPage(t *testing.T, g *goServer, page, opts string) *tab {
	t.Helper()
	tb := newTab(t, "fast-"+page)
	tb.navigate(g.origin + "/testdata/" + page + "?" + url.Values{"opts": {opts}}.Encode())
	tb.waitConsole("log: connect ", waitLong)
	eval[bool](tb, recorderJS)
	return tb
}

func fastCount(tb *tab) int {
	return eval[int](tb, `io.duplex && io.duplex.stats ? io.duplex.stats.fast : 0`)
}

// fastPages are the pages and options of the ordering tests: the wasm io on
// a websocket from the start and after the upgrade from polling, and the
// official client.
var fastPages = []struct{ name, page, opts string }{
	{"wasm-websocket", "drive.html", `{"transports":["websocket"]}`},
	{"wasm-upgrade", "drive.html", `{}`},
	{"official", "drive-official.html", `{"transports":["websocket"]}`},
}

// TestBrowserFastPathOrder: plain events (dispatched by the loader) and
// frames that go through Go (a binary event, an event with a numeric name,
// an ack of the page's emit, a namespace's disconnection, an event of a
// namespace the page has not joined) reach the page in the order they
// arrived, over two namespaces of one connection; an event the page acks
// is acked on the wire as socket.io-client does; an event for a namespace
// the server has just disconnected is not dispatched.
func TestBrowserFastPathOrder(t *testing.T) {
	g := scriptServer(t, nil)
	script := []string{
		`raw:2["e",1]`,
		`bin`,
		`raw:2["e",2]`,
		`raw:2/b,["e",3]`,
		`raw:2[42,"num"]`,
		`raw:2["e",4]`,
		`ack`,
		`raw:2/b,["e",5]`,
		`raw:27["q",5]`,
		`raw:2/b,12["q",6]`,
		`raw:2["e",6]`,
		`raw:2/c,["e",0]`,
		`disc:/b`,
		`raw:2/b,["e",7]`,
		`raw:2["e",8]`,
		`raw:2["end"]`,
	}
	want := []string{
		`/ e [1]`,
		`/ bin ["bin:1,2"]`,
		`/ e [2]`,
		`/b e [3]`,
		`/ 42 ["num"]`,
		`/ e [4]`,
		`ack ["acked"]`,
		`/b e [5]`,
		`/ q [5] +ack`,
		`/b q [6] +ack`,
		`/ e [6]`,
		`/b disconnect io server disconnect`,
		`/ e [8]`,
		`/ end []`,
	}
	for _, p := range fastPages {
		t.Run(p.name, func(t *testing.T) {
			tb := fastPage(t, g, p.page, p.opts)
			eval[bool](tb, `(async () => {
				const b = io(location.origin + "/b", `+p.opts+`);
				window.b = b;
				await new Promise((res) => b.on("connect", res));
				rec.watch("/b", b);
				s.on("q", (x, cb) => cb(x * 2));
				// The ack of "/b" is given once the server has disconnected
				// "/b" (given at once, it would race the disconnection).
				b.on("q", (x, cb) => rec.until(() => rec.seen.includes("/b disconnect io server disconnect")).then(() => { cb(x * 2, "b"); window.bAcked = true; }));
				await rec.until(() => s.io.engine.transport.name === "websocket");
				return true;
			})()`)
			before := fastCount(tb)
			official := p.page == "drive-official.html"
			var got []string
			want := slices.Clone(want)
			if official {
				// socket.io-client sends the late ack of "/b", and the server,
				// as Node's, closes the connection on a packet for a namespace
				// it has no socket for ("invalid state").
				got = eval[[]string](tb, `rec.run(`+mustJSON(t, script)+`, "/ disconnect transport close").then(() => rec.seen.slice())`)
				want = append(want, `/ disconnect transport close`)
			} else {
				// The wasm io drops it (Event.Ack: ErrNotConnected), and the
				// connection stays: a second script runs. The ack is given
				// before the page emits the second script, so a close would
				// come before its "end", as it does for the official client.
				got = eval[[]string](tb, `rec.run(`+mustJSON(t, script)+`)
					.then(() => rec.until(() => window.bAcked))
					.then(() => rec.run(["raw:2[\"end\"]"]))
					.then(() => rec.seen.slice())`)
				want = append(want, `/ end []`)
			}
			if !slices.Equal(got, want) {
				t.Errorf("the page saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// The acks the handlers gave, as socket.io-client sends them.
			eval[bool](tb, `rec.until(() => rec.sent.includes('437[10]')).then(() => true)`)
			if lateAck := eval[bool](tb, `rec.sent.includes('43/b,12[12,"b"]')`); lateAck != official {
				t.Errorf("the ack of \"/b\" after its disconnection sent: %v, want %v", lateAck, official)
			}
			if p.page == "drive.html" {
				// e1-e6 and e8 (and end) on "/" and "/b": at least the ones
				// after what went through Go took the fast path.
				if n := fastCount(tb) - before; n < 8 {
					t.Errorf("%d events took the fast path, want at least 8", n)
				}
			}
			if ex := tb.exceptions(); len(ex) > 0 {
				t.Errorf("uncaught exceptions: %q", ex)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBrowserFastPathMalformed: an event whose payload is not valid JSON
// after a valid prefix, or uses a reserved name, is a parse error, as in
// socket.io-client: the socket disconnects ("parse error"), the events after
// it in the same burst are not dispatched, and it reconnects.
func TestBrowserFastPathMalformed(t *testing.T) {
	g := scriptServer(t, nil)
	for _, p := range []struct{ name, page string }{{"wasm", "drive.html"}, {"official", "drive-official.html"}} {
		t.Run(p.name, func(t *testing.T) {
			tb := fastPage(t, g, p.page, `{"transports":["websocket"],"reconnectionDelay":100,"reconnectionDelayMax":200}`)
			for i, bad := range []string{`raw:2["m",2`, `raw:2["disconnect",2]`, `raw:23["m",2}`} {
				eval[bool](tb, `rec.run(`+mustJSON(t, []string{`raw:2["m",1]`, bad, `raw:2["m",3]`, `raw:2["end"]`})+`, "/ connect").then(() => true)`)
				got := eval[[]string](tb, `rec.seen.splice(0)`)
				want := []string{`/ m [1]`, `/ disconnect parse error`, `/ connect`}
				if !slices.Equal(got, want) {
					t.Errorf("bad frame %d %s: the page saw\n%s\nwant\n%s", i, bad, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
			if ex := tb.exceptions(); len(ex) > 0 {
				t.Errorf("uncaught exceptions: %q", ex)
			}
		})
	}
}

// TestBrowserFastPathAckAcrossReconnect: the ack callback of an event the
// loader dispatched sends the ack once, with the event's id and namespace;
// one called after the socket disconnected sends nothing (as the Go client
// drops such acks), also once the socket has connected again, where events
// take the fast path again.
func TestBrowserFastPathAckAcrossReconnect(t *testing.T) {
	g := scriptServer(t, nil)
	tb := fastPage(t, g, "drive.html", `{"transports":["websocket"]}`)
	eval[bool](tb, `(window.cbs = [], s.on("q", (x, cb) => cbs.push(cb)), true)`)
	eval[bool](tb, `rec.run(["raw:25[\"q\",1]", "raw:2[\"end\"]"]).then(() => true)`)
	first := fastCount(tb)
	if first < 2 {
		t.Errorf("%d events took the fast path, want 2", first)
	}
	eval[bool](tb, `(async () => {
		const d = new Promise((res) => s.once("disconnect", res));
		s.disconnect();
		await d;
		const c = new Promise((res) => s.once("connect", res));
		s.connect();
		await c;
		return true;
	})()`)
	eval[bool](tb, `rec.run(["raw:26[\"q\",2]", "raw:2[\"end\"]"]).then(() => true)`)
	if n := fastCount(tb); n < first+2 {
		t.Errorf("after the reconnection %d events took the fast path, want 2", n-first)
	}
	sent := eval[[]string](tb, `(async () => {
		cbs[0]("stale");
		cbs[1]("fresh");
		cbs[1]("again");
		s.emit("marker");
		await rec.until(() => rec.sent.some((f) => f.startsWith('42["marker"')));
		return rec.sent.filter((f) => f.startsWith("43"));
	})()`)
	if want := []string{`436["fresh"]`}; !slices.Equal(sent, want) {
		t.Errorf("acks sent %q, want %q", sent, want)
	}
}

// TestBrowserFastPathRecovery: with connection state recovery the Go
// Manager reads each event's offset, so no event takes the fast path, and
// the offsets it read recover the session after a cut without duplicates.
func TestBrowserFastPathRecovery(t *testing.T) {
	g := scriptServer(t, &server.Options{
		ConnectionStateRecovery: &server.RecoveryOptions{},
		Engine:                  engine.Options{PingInterval: 2 * time.Second, PingTimeout: 2 * time.Second},
	})
	tb := fastPage(t, g, "drive.html", `{"reconnectionDelay":200,"reconnectionDelayMax":500,"transports":["websocket"]}`)
	line := tb.countConsole("recovered=false")
	if line != 1 {
		t.Fatalf("first connection: %s", tb.console())
	}
	if got := eval[string](tb, `s.timeout(5000).emitWithAck("join", "r")`); got != "r" {
		t.Fatalf("join ack %q", got)
	}
	for i := range 3 {
		if err := g.srv.To("r").Emit("before", i); err != nil {
			t.Fatal(err)
		}
	}
	tb.waitConsole(`event before [2,"`, waitShort)
	if n := fastCount(tb); n != 0 {
		t.Errorf("%d events took the fast path with recovery on", n)
	}
	if n := g.cut(); n == 0 {
		t.Fatal("no connection to cut")
	}
	tb.waitConsole("log: disconnect ", waitLong)
	if err := g.srv.To("r").Emit("missed", 1); err != nil {
		t.Fatal(err)
	}
	again := tb.waitConsoleN("log: connect ", 2, waitLong)
	if !strings.HasSuffix(again, "recovered=true") {
		t.Fatalf("reconnection: %q, want recovered=true", again)
	}
	tb.waitConsole(`event missed [1,"`, waitShort)
	for _, ev := range []string{`event before [0,`, `event before [1,`, `event before [2,`, `event missed [1,`} {
		if n := tb.countConsole(ev); n != 1 {
			t.Errorf("%s arrived %d times", ev, n)
		}
	}
	if n := fastCount(tb); n != 0 {
		t.Errorf("%d events took the fast path with recovery on", n)
	}
}
