//go:build !js

package e2e

import (
	"strings"
	"testing"

	"github.com/duplexio/duplex/server"
)

// apiRow is one supported row of the socket.io-client API table of
// docs/browser.md: a JavaScript async function body run against window.s
// (connected by drive.js) that returns a string. It runs on our wasm io and
// on the official bundle, which must give the same string: want.
type apiRow struct {
	name, js, want string
}

// waitFor is a helper the rows use: resolves with the arguments of the next
// event ev on socket s.
const apiHelpers = `
const next = (s, ev) => new Promise((res) => s.once(ev, (...a) => res(a)));
const connected = (s) => s.connected ? Promise.resolve() : next(s, "connect");
const show = (v) => JSON.stringify(v, (k, x) => (x instanceof ArrayBuffer ? "bin:" + Array.from(new Uint8Array(x)).join(",") : x));
await connected(s);
`

var apiRows = []apiRow{
	{"io() io.connect", `return [typeof io, io.connect === io, typeof io.Socket, typeof io.Manager].join(" ")`, "function true function function"},
	{"connected disconnected active id", `return [s.connected, s.disconnected, s.active, typeof s.id, s.id.length > 0].join(" ")`, "true false true string true"},
	{"emit and a server event", `const p = next(s, "echo"); s.emit("echo", {a: 1, z: [true, null]}, "x"); return show(await p)`, `[{"a":1,"z":[true,null]},"x"]`},
	{"emit with an ack callback", `return show(await new Promise((res) => s.emit("echo", 1, "two", (...a) => res(a))))`, `[1,"two"]`},
	{"timeout(ms).emit with ack", `return show(await new Promise((res) => s.timeout(5000).emit("echo", 3, (err, v) => res([err, v]))))`, `[null,3]`},
	{"timeout(ms).emit: timed out", `return await new Promise((res) => s.timeout(50).emit("no-handler", (err) => res(err instanceof Error ? err.message : "no error")))`, "operation has timed out"},
	{"emitWithAck", `return show(await s.emitWithAck("echo", "w", 2))`, `"w"`},
	{"timeout(ms).emitWithAck rejects", `try { await s.timeout(50).emitWithAck("no-handler"); return "resolved" } catch (e) { return e.message }`, "operation has timed out"},
	{"volatile.emit", `const p = next(s, "echo"); s.volatile.emit("echo", "v"); return show(await p)`, `["v"]`},
	{"compress(false).emit", `const p = next(s, "echo"); s.compress(false).emit("echo", "c"); return show(await p)`, `["c"]`},
	{"send (message event)", `const seen = []; const f = (ev, ...a) => seen.push(ev + show(a)); s.onAnyOutgoing(f); s.send("m1", 2); s.offAnyOutgoing(f); return seen.join(" ")`, `message["m1",2]`},
	{"onAny prependAny offAny listenersAny", `const seen = []; const a = (ev, x) => seen.push("a:" + ev + ":" + x), b = (ev, x) => seen.push("b:" + ev + ":" + x);
		s.onAny(a); s.prependAny(b); const n = s.listenersAny().length; const p = next(s, "echo"); s.emit("echo", 7); await p;
		s.offAny(a); s.offAny(b); return seen.join(" ") + " " + (n - s.listenersAny().length)`, "b:echo:7 a:echo:7 2"},
	{"onAnyOutgoing prependAnyOutgoing listenersAnyOutgoing", `const seen = []; const a = (ev, x) => seen.push("a:" + ev + ":" + x), b = (ev, x) => seen.push("b:" + ev + ":" + x);
		s.onAnyOutgoing(a); s.prependAnyOutgoing(b); const n = s.listenersAnyOutgoing().length; s.emit("count", 1);
		s.offAnyOutgoing(); return seen.join(" ") + " " + n + " " + s.listenersAnyOutgoing().length`, "b:count:1 a:count:1 2 0"},
	{"on once off listeners hasListeners", `let n = 0; const f = () => n++; s.once("echo", f); const l1 = s.listeners("echo").length;
		let p = next(s, "echo"); s.emit("echo", 1); await p; p = next(s, "echo"); s.emit("echo", 2); await p;
		const g = () => {}; s.on("zzz", g); const h1 = s.hasListeners("zzz"); s.off("zzz", g);
		return [l1, n, h1, s.hasListeners("zzz")].join(" ")`, "1 1 true false"},
	{"binary: ArrayBuffer, typed arrays, DataView, nested", `const u = new Uint8Array([1, 2, 3]);
		return show(await s.emitWithAck("echo", u.buffer, new Int16Array([258]), {d: new DataView(new Uint8Array([9]).buffer), l: [u.subarray(1)]}))`, `"bin:1,2,3"`},
	{"binary args all received", `return show(await new Promise((res) => s.emit("echo", new Uint8Array([4]), {k: new Uint8Array([5, 6]).buffer}, (...a) => res(a))))`, `["bin:4",{"k":"bin:5,6"}]`},
	{"ack a server emit (callback)", `s.on("question", (q, cb) => cb(q + "!")); const p = next(s, "answer"); s.emit("ask", "hi"); return show(await p)`, `["hi!"]`},
	{"disconnect() connect() events", `const d = next(s, "disconnect"); s.disconnect(); const [reason] = await d; const st = [s.connected, s.active, s.id].join(",");
		const c = next(s, "connect"); s.connect(); await c; return reason + " " + st + " " + s.connected`, "io client disconnect false,false, true"},
	{"close() open()", `const d = next(s, "disconnect"); s.close(); await d; const c = next(s, "connect"); s.open(); await c; return String(s.connected)`, "true"},
	{"autoConnect false, socket.auth, connect()", `const t = io(location.origin, {forceNew: true, autoConnect: false}); await new Promise((r) => setTimeout(r, 100));
		const before = t.connected; t.auth = {token: "late"}; t.connect(); await connected(t); const after = t.connected; t.disconnect(); return before + " " + after`, "false true"},
	{"auth as a function", `const t = io(location.origin, {forceNew: true, auth: (cb) => cb({token: "fn"})}); await connected(t); t.disconnect(); return "ok"`, "ok"},
	{"socket.io.engine.transport.name", `for (let i = 0; i < 100 && s.io.engine.transport.name !== "websocket"; i++) await new Promise((r) => setTimeout(r, 20)); return s.io.engine.transport.name`, "websocket"},
	{"reserved event names throw", `try { s.emit("connect"); return "no throw" } catch (e) { return "threw" }`, "threw"},
	{"option ackTimeout", `const t = io(location.origin, {forceNew: true, ackTimeout: 50}); await connected(t);
		const r = await new Promise((res) => t.emit("no-handler", (err) => res(err instanceof Error ? err.message : "no error"))); t.disconnect(); return r`, "operation has timed out"},
	{"option retries", `const t = io(location.origin, {forceNew: true, ackTimeout: 50, retries: 2}); await connected(t);
		const r = await new Promise((res) => t.emit("count", "retried", (err) => res(err instanceof Error ? err.message : "no error"))); t.disconnect(); return r`, "operation has timed out"},
	{"options query, transports, upgrade", `const t = io(location.origin, {forceNew: true, query: {k: "v w"}, transports: ["polling"], upgrade: false}); await connected(t);
		await new Promise((r) => setTimeout(r, 300)); const name = t.io.engine.transport.name; t.disconnect(); return name`, "polling"},
	{"namespace in the url, forceNew", `const t = io(location.origin + "/", {forceNew: true}); await connected(t); const ok = t.id !== s.id; t.disconnect(); return String(ok)`, "true"},
}

// TestBrowserAPI runs every supported row of the API table on both clients.
func TestBrowserAPI(t *testing.T) {
	var g *goServer
	g = startGoServer(t, goServerOptions{onConnect: func(s *server.Socket) {
		if q := s.Handshake().Query.Get("k"); q != "" {
			g.record("query k=" + q)
		}
	}})
	for _, page := range []string{"drive.html", "drive-official.html"} {
		t.Run(page, func(t *testing.T) {
			tb := newTab(t, page)
			tb.navigate(g.origin + "/testdata/" + page)
			tb.waitConsole("log: connect ", waitLong)
			for _, r := range apiRows {
				got := eval[string](tb, "(async () => {"+apiHelpers+r.js+"})()")
				if got != r.want {
					t.Errorf("%s: got %q, want %q", r.name, got, r.want)
				}
			}
			if page == "drive.html" {
				// The official browser bundle has no io.protocol (its UMD
				// global is lookup only); ours gives the parser's, as the
				// package does.
				if got := eval[int](tb, "io.protocol"); got != 5 {
					t.Errorf("io.protocol = %d, want 5", got)
				}
			}
			if ex := tb.exceptions(); len(ex) > 0 {
				t.Errorf("uncaught exceptions: %q", ex)
			}
		})
	}
	var late, fn, retried, query int
	for _, l := range g.recorded() {
		if l == "query k=v w" {
			query++
		}
		if strings.HasSuffix(l, ` auth={"token":"late"}`) {
			late++
		}
		if strings.HasSuffix(l, ` auth={"token":"fn"}`) {
			fn++
		}
		if l == `count "retried"` {
			retried++
		}
	}
	// Each client: auth seen once per row, the retried emit sent 1 + 2 times.
	if late != 2 || fn != 2 || retried != 6 || query != 2 {
		t.Errorf("the server saw auth late x%d fn x%d, the retried emit x%d, the query x%d; want 2, 2, 6, 2; it saw %q", late, fn, retried, query, g.recorded())
	}
}

// TestBrowserAPIUnsupported: every row of the API table the wasm io does not
// implement throws an Error that names it, instead of doing nothing.
func TestBrowserAPIUnsupported(t *testing.T) {
	g := startGoServer(t, goServerOptions{})
	tb := newTab(t, "unsupported")
	tb.navigate(g.origin + "/testdata/drive.html")
	tb.waitConsole("log: connect ", waitLong)
	for _, c := range []struct{ js, want string }{
		{`new io.Manager(location.origin)`, "new io.Manager() is not supported"},
		{`s.io.on("ping", () => {})`, `the Manager event "ping" is not supported`},
		{`s.io.on("open", () => {})`, `the Manager event "open" is not supported`},
		{`s.io.reconnection(false)`, "socket.io.reconnection() is not supported"},
		{`s.io.socket("/admin")`, "socket.io.socket() is not supported"},
		{`io(location.origin, {forceNew: true, extraHeaders: {a: "b"}})`, `the option "extraHeaders" is not supported`},
		{`io(location.origin, {forceNew: true, withCredentials: true})`, `the option "withCredentials" is not supported`},
		{`s.emit("echo", new Blob(["x"]))`, "a Blob or File argument is not supported"},
	} {
		got := eval[string](tb, "(() => { try { "+c.js+"; return 'no error' } catch (e) { return (e instanceof Error) + ' ' + e.message } })()")
		if !strings.HasPrefix(got, "true ") || !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want an Error containing %q", c.js, got, c.want)
		}
	}
}
