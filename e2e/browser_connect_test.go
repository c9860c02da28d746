//go:build !js

package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

// TestBrowserHandshakeOverlap: the loader sends the Engine.IO handshake
// while client.wasm loads, and the Go client takes its response instead of
// sending its own: the page makes one handshake request (a polling GET
// without sid), which started before the Go client did.
func TestBrowserHandshakeOverlap(t *testing.T) {
	g := startGoServer(t, goServerOptions{})
	tb := newTab(t, "overlap")
	tb.navigate(g.origin + "/testdata/measure.html")
	// connect may come before the Go client starts (the loader reports the
	// server's reply): wait for both.
	waitJS[bool](tb, "window.__connectAt > 0 && io.duplex.timings.goStarted > 0", waitLong)
	got := eval[[]float64](tb, `(() => {
		const hs = performance.getEntriesByType("resource").filter((e) => e.name.includes("transport=polling") && !/[?&]sid=/.test(e.name));
		return [hs.length, hs.length ? hs[0].startTime : -1, io.duplex.timings.goStarted];
	})()`)
	if got[0] != 1 {
		t.Fatalf("%v handshake requests, want 1 (the loader's, taken by the Go client)", got[0])
	}
	if got[1] >= got[2] {
		t.Errorf("the handshake started at %.1f ms, after the Go client (%.1f ms)", got[1], got[2])
	}
	t.Logf("handshake sent at %.1f ms, Go client ready at %.1f ms", got[1], got[2])
}

// earlyServer is a Go Socket.IO server (namespaces "/" and "/admin") whose
// HTTP log records every Engine.IO request, and which holds back
// client.wasm until hold returns: what the loader does before the Go
// client exists is then what the server has seen by then.
type earlyServer struct {
	t      *testing.T
	srv    *server.Server
	origin string

	mu   sync.Mutex
	reqs []string // "GET handshake", "POST sid=... body", "GET sid=...", "WS sid=..."
	seen chan struct{}
	hold func(reqs []string) bool // client.wasm is served once hold(reqs) is true (or after 10 s)
	held bool                     // client.wasm waited 10 s: hold never became true
	o    earlyOptions
}

// earlyOptions change what an earlyServer does.
type earlyOptions struct {
	onConnect func(s *server.Socket)                   // called in the connection handler of "/"
	use       func(s *server.Socket, next func(error)) // a middleware of "/"
	failWasm  bool                                     // client.wasm is answered with HTTP 500 once released
	ping      time.Duration                            // the Engine.IO ping interval and timeout, when not 0
}

func startEarlyServer(t *testing.T, hold func(reqs []string) bool) *earlyServer {
	return startEarlyServerWith(t, hold, earlyOptions{})
}

func startEarlyServerWith(t *testing.T, hold func(reqs []string) bool, o earlyOptions) *earlyServer {
	t.Helper()
	e := &earlyServer{t: t, hold: hold, seen: make(chan struct{}, 1), o: o}
	opts := server.Options{ServeClient: clientFiles(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	opts.Engine.CORS = &engine.CORS{Origins: []string{"*"}}
	if o.ping != 0 {
		opts.Engine.PingInterval, opts.Engine.PingTimeout = o.ping, o.ping
	}
	e.srv = server.New(&opts)
	if o.use != nil {
		e.srv.Of("/").Use(o.use)
	}
	for _, nsp := range []string{"/", "/admin"} {
		e.srv.Of(nsp).OnConnection(func(s *server.Socket) {
			if nsp == "/" && o.onConnect != nil {
				defer o.onConnect(s)
			}
			s.On("echo", func(ev *server.Event) {
				vals, err := ev.Args.Values()
				if err != nil {
					t.Errorf("echo args: %v", err)
					return
				}
				ev.Ack(vals...)
			})
		})
	}
	sio := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case strings.HasSuffix(r.URL.Path, "/client.wasm"):
			deadline := time.After(10 * time.Second)
			for {
				e.mu.Lock()
				ok := e.hold == nil || e.hold(e.reqs)
				e.mu.Unlock()
				if ok {
					break
				}
				select {
				case <-e.seen:
					continue
				case <-deadline:
					e.mu.Lock()
					e.held = true
					e.mu.Unlock()
				}
				break
			}
			if o.failWasm {
				http.Error(w, "client.wasm refused by the test", http.StatusInternalServerError)
				return
			}
		case q.Get("EIO") != "":
			line := r.Method + " handshake"
			if sid := q.Get("sid"); sid != "" {
				line = r.Method + " sid=" + sid
				if q.Get("transport") == "websocket" {
					line = "WS sid=" + sid
				}
			}
			if r.Method == http.MethodPost {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				line += " " + strings.ReplaceAll(string(b), "\x1e", " | ")
				r.Body = io.NopCloser(strings.NewReader(string(b)))
			}
			e.mu.Lock()
			e.reqs = append(e.reqs, line)
			e.mu.Unlock()
			select {
			case e.seen <- struct{}{}:
			default:
			}
		}
		e.srv.ServeHTTP(w, r)
	})
	hs := httptest.NewServer(assetMux(t, sio))
	e.origin = hs.URL
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.srv.Close(ctx); err != nil {
			t.Errorf("closing the server: %v", err)
		}
	})
	return e
}

// wasHeld reports whether client.wasm waited 10 s for hold.
func (e *earlyServer) wasHeld() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.held
}

func (e *earlyServer) log() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reqs)
}

// connects returns the CONNECT packets the server received, in order.
func connects(reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if !strings.HasPrefix(r, "POST ") {
			continue
		}
		for _, p := range strings.Split(r[strings.IndexByte(r[5:], ' ')+6:], " | ") {
			if strings.HasPrefix(p, "40") {
				out = append(out, p)
			}
		}
	}
	return out
}

// open loads early.html with the sockets of spec ([url, options] each) and
// waits until n of them are connected (a socket the loader connected and
// the Go client connected again on its own session counts once).
func (e *earlyServer) open(name string, spec string, n int) *tab {
	e.t.Helper()
	tb := newTab(e.t, name)
	e.t.Cleanup(func() {
		// Runs before the tab closes: what the page and the server saw.
		if !e.t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[][]any]("window.__log", chromedp.EvalIgnoreExceptions))
		e.t.Logf("page log of tab %s: %v (%v)", name, v, err)
		e.t.Logf("requests: %q", e.log())
	})
	tb.navigate(e.origin + "/testdata/early.html#" + url.PathEscape(spec))
	waitJS[bool](tb, fmt.Sprintf("%s.length >= %d || window.__errors.length > 0", connectedJS, n), waitLong)
	if errs := eval[[]string](tb, "window.__errors"); len(errs) > 0 {
		e.t.Fatalf("connect_error: %v", errs)
	}
	return tb
}

// connectedJS is the page's connected sockets.
const connectedJS = "window.__sockets.filter((s) => s && s.connected)"

// alternates reports, for each socket of early.html's log, that connect and
// disconnect alternate (never two connects in a row), and returns how many
// connect events each socket had.
func alternates(t *testing.T, tb *tab) map[int]int {
	t.Helper()
	connected := map[int]bool{}
	connects := map[int]int{}
	for _, l := range eval[[][]any](tb, "window.__log") {
		i := int(l[0].(float64))
		switch l[1] {
		case "connect":
			if connected[i] {
				t.Errorf("socket %d: two connect events without a disconnect: %v", i, eval[[][]any](tb, "window.__log"))
			}
			connected[i] = true
			connects[i]++
		case "disconnect":
			connected[i] = false
		}
	}
	return connects
}

// TestBrowserEarlyConnect: the loader sends the CONNECT (with the auth of
// the auth function, called once) and the first poll as soon as the
// handshake returns, while client.wasm loads; the Go client takes them over
// and sends no CONNECT of its own. client.wasm is served only once the
// server has the CONNECT, so that the Go client cannot have sent it.
func TestBrowserEarlyConnect(t *testing.T) {
	e := startEarlyServer(t, func(reqs []string) bool { return len(connects(reqs)) > 0 })
	tb := e.open("early-connect", `[["/", {"auth": "fn"}]]`, 1)
	if e.wasHeld() {
		t.Fatalf("client.wasm was requested and the server had no CONNECT after 10 s: %q", e.log())
	}
	if got := connects(e.log()); !slices.Equal(got, []string{`40{"token":"t0"}`}) {
		t.Errorf("CONNECT packets received: %q, want one, with the auth", got)
	}
	if n := eval[int](tb, "window.__authCalls"); n != 1 {
		t.Errorf("the auth function was called %d times, want 1", n)
	}
	// The session is the Go client's: an event round trip works on it.
	if got := eval[string](tb, `new Promise((resolve) => __sockets[0].emit("echo", "over the early session", (v) => resolve(v)))`); got != "over the early session" {
		t.Errorf("echo: %q", got)
	}
	reqs := e.log()
	var handshakes int
	for _, r := range reqs {
		if r == "GET handshake" {
			handshakes++
		}
	}
	if handshakes != 1 {
		t.Errorf("%d handshakes, want 1: %q", handshakes, reqs)
	}
	if n := len(e.srv.Of("/").Sockets()); n != 1 {
		t.Errorf("%d sockets connected on the server, want 1", n)
	}
	t.Logf("requests: %q", reqs)
}

// count returns how many of reqs satisfy f.
func count(reqs []string, f func(string) bool) int {
	n := 0
	for _, r := range reqs {
		if f(r) {
			n++
		}
	}
	return n
}

func isHandshake(r string) bool { return r == "GET handshake" }
func isClose(r string) bool     { return strings.HasPrefix(r, "POST sid=") && strings.HasSuffix(r, " 1") }

// TestBrowserEarlyConnectCases: what the loader sends before the Go client
// starts with several sockets, and that the server ends with exactly the
// namespaces the page has connected (no CONNECT sent twice, none left behind
// on a session the Go client does not use).
func TestBrowserEarlyConnectCases(t *testing.T) {
	for _, c := range []struct {
		name      string
		spec      string
		hold      func(reqs []string) bool // client.wasm is served once true
		connected int                      // sockets the page ends with
		sockets   map[string]int           // server: namespace -> sockets
		check     func(t *testing.T, reqs []string)
	}{{
		// Two namespaces of one server share the Manager: one session,
		// both CONNECTs in the loader's POST.
		name:      "multiplexed",
		spec:      `[["/"], ["/admin"]]`,
		hold:      func(reqs []string) bool { return len(connects(reqs)) >= 2 },
		connected: 2,
		sockets:   map[string]int{"/": 1, "/admin": 1},
		check: func(t *testing.T, reqs []string) {
			if n := count(reqs, isHandshake); n != 1 {
				t.Errorf("%d handshakes, want 1", n)
			}
			if got := connects(reqs); !slices.Equal(got, []string{"40", "40/admin,"}) {
				t.Errorf("CONNECTs %q", got)
			}
			if n := count(reqs, func(r string) bool { return strings.HasSuffix(r, " 40 | 40/admin,") }); n != 1 {
				t.Errorf("%d POSTs of both CONNECTs, want 1 (the loader's)", n)
			}
		},
	}, {
		// forceNew makes a second Manager: no CONNECT before the Go
		// client, a handshake for each Manager.
		name:      "forceNew",
		spec:      `[["/"], ["/", {"forceNew": true}]]`,
		hold:      func(reqs []string) bool { return count(reqs, isHandshake) >= 2 },
		connected: 2,
		sockets:   map[string]int{"/": 2},
		check: func(t *testing.T, reqs []string) {
			if n := count(reqs, isHandshake); n != 2 {
				t.Errorf("%d handshakes, want 2", n)
			}
			if got := connects(reqs); len(got) != 2 {
				t.Errorf("CONNECTs %q, want 2", got)
			}
		},
	}, {
		// The second Manager comes after the loader's CONNECT: that
		// session is closed, and the Go client connects both sockets.
		name: "second Manager later",
		spec: `[["/"], ["/admin", {"multiplex": false}, {"later": true}]]`,
		hold: func(reqs []string) bool {
			return count(reqs, isClose) >= 1 && count(reqs, isHandshake) >= 2
		},
		connected: 2,
		sockets:   map[string]int{"/": 1, "/admin": 1},
		check: func(t *testing.T, reqs []string) {
			if got := connects(reqs); len(got) != 3 {
				t.Errorf("CONNECTs %q, want 3 (the loader's, closed, then one per socket)", got)
			}
		},
	}, {
		// disconnect() before the client started: the loader closes the
		// session its CONNECT went out on.
		name: "disconnected early",
		spec: `[["/", {}, {"disconnectLater": true}]]`,
		hold: func(reqs []string) bool {
			return len(connects(reqs)) >= 1 && count(reqs, isClose) >= 1
		},
		connected: 0,
		sockets:   map[string]int{"/": 0},
	}, {
		// disconnect() of a socket not connected yet: the other one
		// connects on the loader's session.
		name:      "one of two disconnected at once",
		spec:      `[["/"], ["/admin", {}, {"disconnect": true}]]`,
		hold:      func(reqs []string) bool { return count(reqs, isHandshake) >= 1 },
		connected: 1,
		sockets:   map[string]int{"/": 1, "/admin": 0},
		check: func(t *testing.T, reqs []string) {
			if n := count(reqs, isHandshake); n != 1 {
				t.Errorf("%d handshakes, want 1", n)
			}
		},
	}, {
		// autoConnect: false, then connect() before the client started.
		name:      "connect()",
		spec:      `[["/", {"autoConnect": false}, {"connect": true}]]`,
		hold:      func(reqs []string) bool { return len(connects(reqs)) >= 1 },
		connected: 1,
		sockets:   map[string]int{"/": 1},
	}} {
		t.Run(c.name, func(t *testing.T) {
			e := startEarlyServer(t, c.hold)
			tb := e.open("early-"+c.name, c.spec, c.connected)
			if e.wasHeld() {
				t.Fatalf("client.wasm was held 10 s: the loader did not send what was expected: %q", e.log())
			}
			for i := range c.connected {
				v := fmt.Sprint("echo ", i)
				if got := eval[string](tb, fmt.Sprintf(`new Promise((resolve) => %s[%d].emit("echo", %q, (v) => resolve(v)))`, connectedJS, i, v)); got != v {
					t.Errorf("echo on socket %d: %q", i, got)
				}
			}
			// The server drops a closed session's sockets when its
			// close arrives: wait for the expected count.
			deadline := time.Now().Add(5 * time.Second)
			for nsp, want := range c.sockets {
				for len(e.srv.Of(nsp).Sockets()) != want && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if n := len(e.srv.Of(nsp).Sockets()); n != want {
					t.Errorf("%d sockets on the server in %s, want %d", n, nsp, want)
				}
			}
			if n := eval[int](tb, connectedJS+".length"); n != c.connected {
				t.Errorf("%d sockets connected in the page, want %d", n, c.connected)
			}
			t.Logf("connect events per socket: %v", alternates(t, tb))
			reqs := e.log()
			if c.check != nil {
				c.check(t, reqs)
			}
			t.Logf("requests: %q", reqs)
		})
	}
}
