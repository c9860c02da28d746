//go:build !js

package e2e

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/duplexio/duplex/server"
)

// The loader's ack fast path (client/dist/socket.io.js, Socket._sendAck):
// the ack of an event the loader dispatched itself, without binary, is
// written by the loader on the WebSocket when Go has nothing queued before
// it; anything else goes through Go. This test checks the acks and emits
// the Go server sees, in order, the frames the page writes, and which acks
// took the fast path (io.duplex.stats.acked).

// ackServer is emitServer's recorder for "/" and "/b" ("emit <nsp> <name>
// [<args>]"), whose sockets also answer emit("req", tag, n) with n events
// "q" (tag, i) with an ack, recorded as "acked <nsp> <tag> <i> [<args>]"
// (" att=<n>" with attachments) when it comes; emit("kick") has the server
// disconnect the "/" socket.
func ackServer(t testing.TB) *goServer {
	var g *goServer
	watch := func(s *server.Socket) {
		nsp := s.Namespace().Name()
		recordEmits(t, s, func(l string) { g.record(l) })
		s.On("req", func(e *server.Event) {
			var tag string
			var n int
			if err := e.Decode(&tag, &n); err != nil {
				t.Errorf("req: %v", err)
				return
			}
			for i := range n {
				prefix := "acked " + nsp + " " + tag + " " + strconv.Itoa(i) + " "
				err := s.Emit("q", tag, i, server.AckFunc(func(a server.Args, err error) {
					if err != nil {
						return // the "/" socket's held acks fail when it is kicked
					}
					raw := make([]string, 0, a.Len())
					for _, r := range a.All() {
						raw = append(raw, string(r))
					}
					line := prefix + "[" + strings.Join(raw, ",") + "]"
					if n := len(a.Attachments()); n > 0 {
						line += " att=" + strconv.Itoa(n)
					}
					g.record(line)
				}))
				if err != nil {
					t.Errorf("emit q: %v", err)
				}
			}
		})
		s.On("kick", func(*server.Event) { s.Disconnect(false) })
	}
	g = startGoServer(t, goServerOptions{onConnect: watch})
	g.srv.Of("/b").OnConnection(watch)
	return g
}

// TestBrowserAckFastPath: the page acks the server's events plainly, with
// no argument, with binary, twice, around emits of its own, and after its
// socket was disconnected and connected again (acks that must be dropped),
// in "/" and "/b" of one connection (a WebSocket from the start or after
// the upgrade from polling, or polling only). The server gets every ack
// that must go, with its arguments, in the order the page made them among
// its emits, and none of the dropped ones, which no frame carries either;
// on a WebSocket the plain acks of connected sockets are the loader's.
func TestBrowserAckFastPath(t *testing.T) {
	for _, c := range writeTransports {
		t.Run(c.name, func(t *testing.T) {
			g := ackServer(t)
			tb := driveTab(t, g, "ack-"+c.name, c.opts)
			eval[bool](tb, `(async () => {
				window.until = (f) => new Promise((res) => { const t = setInterval(() => { if (f()) { clearInterval(t); res(); } }, 10); });
				const opts = `+c.opts+`;
				window.b = io(location.origin + "/b", opts);
				await until(() => b.connected);
				if (!("transports" in opts)) await until(() => s.io.engine.transport.name === "websocket");
				// The ack frames the page writes, by Go or by the loader.
				window.frames = [];
				const send = WebSocket.prototype.send;
				WebSocket.prototype.send = function (d) {
					if (typeof d === "string" && (d.startsWith("43") || d.startsWith("46"))) frames.push(d);
					return send.call(this, d);
				};
				window.held = [];
				window.handled = 0;
				const on = (sock, nsp) => sock.on("q", (tag, i, ack) => {
					switch (tag) {
					case "plain": ack(nsp, i, { x: [i], u: undefined }, "é\""); break;
					case "none": ack(); break;
					case "bin": ack(i, new Uint8Array([i, 7])); break;
					case "twice": ack("first"); ack("second"); break;
					case "hold": held.push([nsp, ack]); break;
					case "emitfirst": sock.emit("a", i, () => {}); ack("after a", i); sock.emit("p", i); break;
					case "ackfirst": ack("before bin", i); sock.emit("bin", new Uint8Array([i])); ack("again"); break;
					}
					handled++;
				});
				on(s, "/");
				on(b, "/b");
				// req asks the server for n events tag and waits until the page has handled them.
				window.req = async (sock, tag, n) => {
					const want = handled + n;
					sock.emit("req", tag, n);
					await until(() => handled >= want);
				};
				return true;
			})()`)
			acked := func() int { return eval[int](tb, `io.duplex.stats.acked || 0`) }
			a0 := acked()
			eval[bool](tb, `(async () => {
				await req(s, "plain", 3);
				await req(b, "plain", 2);
				await req(s, "none", 1);
				return true;
			})()`)
			a1 := acked()
			eval[bool](tb, `(async () => {
				await req(s, "bin", 2);
				await req(b, "twice", 1);
				await req(s, "emitfirst", 1);
				await req(b, "ackfirst", 1);
				return true;
			})()`)
			// Acks held across a disconnection of "/" (the server's): void
			// once the page has seen it, although "/" is connected again on
			// the same WebSocket; the one of "/b" still goes.
			eval[bool](tb, `(async () => {
				await req(s, "hold", 2);
				await req(b, "hold", 1);
				s.emit("kick");
				await until(() => !s.connected);
				s.connect();
				await until(() => s.connected);
				for (const [nsp, ack] of held) ack(nsp === "/" ? "dropped" : "kept");
				await req(s, "plain", 1);
				s.emit("end");
				return true;
			})()`)
			a2 := acked()
			seen := emitsAndAcks(g)
			want := []string{
				`emit / req ["plain",3]`,
				`acked / plain 0 ["/",0,{"x":[0]},"é\""]`,
				`acked / plain 1 ["/",1,{"x":[1]},"é\""]`,
				`acked / plain 2 ["/",2,{"x":[2]},"é\""]`,
				`emit /b req ["plain",2]`,
				`acked /b plain 0 ["/b",0,{"x":[0]},"é\""]`,
				`acked /b plain 1 ["/b",1,{"x":[1]},"é\""]`,
				`emit / req ["none",1]`,
				`acked / none 0 []`,
				`emit / req ["bin",2]`,
				`acked / bin 0 [0,{"_placeholder":true,"num":0}] att=1`,
				`acked / bin 1 [1,{"_placeholder":true,"num":0}] att=1`,
				`emit /b req ["twice",1]`,
				`acked /b twice 0 ["first"]`,
				`emit / req ["emitfirst",1]`,
				`emit / a [0] +ack`,
				`acked / emitfirst 0 ["after a",0]`,
				`emit / p [0]`,
				`emit /b req ["ackfirst",1]`,
				`acked /b ackfirst 0 ["before bin",0]`,
				`emit /b bin [{"_placeholder":true,"num":0}] att=1`,
				`emit / req ["hold",2]`,
				`emit /b req ["hold",1]`,
				`emit / kick []`,
				`acked /b hold 0 ["kept"]`,
				`emit / req ["plain",1]`,
				`acked / plain 0 ["/",0,{"x":[0]},"é\""]`,
				`emit / end []`,
			}
			if !slices.Equal(seen, want) {
				t.Errorf("the server saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
			}
			if c.fast {
				frames := eval[[]string](tb, `frames`)
				for _, f := range frames {
					if strings.Contains(f, "dropped") || strings.Contains(f, "second") || strings.Contains(f, "again") {
						t.Errorf("the page wrote the ack frame %q, which must be dropped", f)
					}
				}
			}
			// The plain acks of the first run (3 + 2 + 1) are the loader's;
			// then the one of "twice" and the kept one of "/b" at least.
			if c.fast && (a1-a0 != 6 || a2-a1 < 2) {
				t.Errorf("%d and %d acks took the fast path, want 6 and at least 2", a1-a0, a2-a1)
			}
			if !c.fast && a2-a0 != 0 {
				t.Errorf("%d acks took the fast path on polling, want 0", a2-a0)
			}
			if ex := tb.exceptions(); len(ex) > 0 {
				t.Errorf("uncaught exceptions: %q", ex)
			}
		})
	}
}

// emitsAndAcks waits for the server's "emit / end []" and returns the emits
// and acks it recorded, in order.
func emitsAndAcks(g *goServer) []string {
	g.waitEvent("emit / end []", waitLong)
	var out []string
	for _, l := range g.recorded() {
		if strings.HasPrefix(l, "emit ") || strings.HasPrefix(l, "acked ") {
			out = append(out, l)
		}
	}
	return out
}
