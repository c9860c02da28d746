//go:build !js

package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
)

// heldPage opens early.html (spec: see earlyServer.open) on a server that
// holds client.wasm until the returned release is called, and waits until
// the page has logged n entries (window.__log) while client.wasm is held.
func heldPage(t *testing.T, name, spec string, n int, o earlyOptions) (*earlyServer, *tab, func()) {
	t.Helper()
	var released atomic.Bool
	e := startEarlyServerWith(t, func([]string) bool { return released.Load() }, o)
	release := func() {
		released.Store(true)
		select {
		case e.seen <- struct{}{}:
		default:
		}
	}
	tb := newTab(t, name)
	tb.navigate(e.origin + "/testdata/early.html#" + url.PathEscape(spec))
	waitJS[bool](tb, fmt.Sprintf("window.__log.length >= %d", n), waitLong)
	if e.wasHeld() || released.Load() {
		t.Fatalf("the page logged %q only once client.wasm was served", pageLog(tb))
	}
	if eval[bool](tb, "!!io.duplex.timings.goStarted") {
		t.Fatalf("the Go client started while client.wasm was held back")
	}
	return e, tb, release
}

// pageLog returns early.html's window.__log, each entry as its JSON text.
func pageLog(tb *tab) []string {
	var out []string
	for _, l := range eval[[]json.RawMessage](tb, "window.__log") {
		out = append(out, string(l))
	}
	return out
}

// TestBrowserConnectedEarly: the page's socket is connected when the
// server's reply to the loader's CONNECT arrives, while client.wasm is still
// held back by the server (socket.id is the server's socket id); once the Go
// client runs, it takes the session over without a second connect: the
// emitWithAck made in the connect handler is acknowledged, and the event
// the server emitted in its connection handler arrives once, after connect.
func TestBrowserConnectedEarly(t *testing.T) {
	ids := make(chan string, 4)
	e, tb, release := heldPage(t, "connected-early", `[["/", {}, {"ackOnConnect": true}]]`, 1, earlyOptions{
		onConnect: func(s *server.Socket) {
			ids <- s.ID()
			if err := s.Emit("hello", "from the connection handler"); err != nil {
				t.Errorf("emit: %v", err)
			}
		},
	})
	var id string
	select {
	case id = <-ids:
	case <-time.After(waitLong):
		t.Fatal("no connection on the server")
	}
	connect := fmt.Sprintf(`[0,"connect",%q,true,false]`, id)
	if got := pageLog(tb); !slices.Equal(got, []string{connect}) {
		t.Fatalf("page log before client.wasm: %q, want %q (connected, with the server's socket id, before the Go client started)", got, connect)
	}
	release()
	waitJS[bool](tb, `window.__log.some((l) => l[1] === "ack")`, waitLong)
	// One more round trip: anything the server sent before has arrived.
	if got := eval[string](tb, `__sockets[0].emitWithAck("echo", "last")`); got != "last" {
		t.Errorf("echo: %q", got)
	}
	want := []string{connect, `[0,"event hello","\"from the connection handler\""]`, `[0,"ack","ack 0"]`}
	if got := pageLog(tb); !slices.Equal(got, want) {
		t.Errorf("page log: %q, want %q", got, want)
	}
	if got := eval[[]any](tb, `[__sockets[0].id, __sockets[0].connected]`); fmt.Sprint(got) != fmt.Sprint([]any{id, true}) {
		t.Errorf("socket id, connected = %v, want %s true", got, id)
	}
	reqs := e.log()
	if n := count(reqs, isHandshake); n != 1 {
		t.Errorf("%d handshakes, want 1: %q", n, reqs)
	}
	if got := connects(reqs); len(got) != 1 {
		t.Errorf("CONNECTs %q, want 1 (the loader's)", got)
	}
	if n := len(e.srv.Of("/").Sockets()); n != 1 {
		t.Errorf("%d sockets on the server, want 1", n)
	}
}

// TestBrowserConnectedEarlyRefused: a middleware refusing the loader's
// CONNECT gives the page its connect_error (the middleware's message and
// data) before the Go client has started, and only once: the Go client,
// which handles the same reply when it takes the session over, does not
// report it again.
func TestBrowserConnectedEarlyRefused(t *testing.T) {
	e, tb, release := heldPage(t, "connected-early-refused", `[["/"]]`, 1, earlyOptions{
		use: func(s *server.Socket, next func(error)) {
			next(&server.ConnectError{Message: "not allowed", Data: map[string]any{"code": 7}})
		},
	})
	want := []string{`[0,"connect_error","not allowed","{\"code\":7}"]`}
	if got := pageLog(tb); !slices.Equal(got, want) {
		t.Fatalf("page log before client.wasm: %q, want %q", got, want)
	}
	release()
	waitJS[bool](tb, "!!io.duplex.timings.goStarted", waitLong)
	// The Go client takes the session (its handshake, CONNECT POST and first
	// poll are the loader's) and, its only socket refused, closes it.
	deadline := time.Now().Add(10 * time.Second)
	for count(e.log(), isClose) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(e.log(), isClose); n != 1 {
		t.Fatalf("%d close packets, want 1 (the Go client's, once it handled the refusal): %q", n, e.log())
	}
	// A round trip through the page's event loop: the Go client's reports
	// before the close are delivered.
	eval[bool](tb, "new Promise((resolve) => setTimeout(() => resolve(true), 50))")
	if got := pageLog(tb); !slices.Equal(got, want) {
		t.Errorf("page log: %q, want %q (one connect_error)", got, want)
	}
	if got := connects(e.log()); len(got) != 1 {
		t.Errorf("CONNECTs %q, want 1 (the loader's)", got)
	}
}

// TestBrowserConnectedEarlyLoadFails: client.wasm fails to load after the
// loader reported the connection: the page gets disconnect ("transport
// error", as socket.io-client for a lost transport), then the load's
// connect_error, and the server's socket goes away.
func TestBrowserConnectedEarlyLoadFails(t *testing.T) {
	e, tb, release := heldPage(t, "connected-early-load-fails", `[["/"]]`, 1, earlyOptions{failWasm: true})
	got := pageLog(tb)
	if len(got) != 1 || !strings.HasPrefix(got[0], `[0,"connect",`) {
		t.Fatalf("page log before client.wasm: %q, want a connect", got)
	}
	release()
	waitJS[bool](tb, "window.__errors.length > 0", waitLong)
	got = pageLog(tb)
	if len(got) != 3 || got[1] != `[0,"disconnect","transport error"]` ||
		!strings.HasPrefix(got[2], `[0,"connect_error","cannot load `) || !strings.Contains(got[2], "HTTP 500") {
		t.Errorf("page log: %q, want connect, disconnect (transport error), connect_error (cannot load ... HTTP 500)", got)
	}
	if eval[bool](tb, "__sockets[0].connected || __sockets[0].id !== undefined") {
		t.Errorf("the socket is still connected, or has an id")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(e.srv.Of("/").Sockets()) != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(e.srv.Of("/").Sockets()); n != 0 {
		t.Errorf("%d sockets left on the server, want 0 (the loader closes the session)", n)
	}
}

// TestBrowserConnectedEarlyLeft: the page disconnects the socket the loader
// connected, before the Go client started: disconnect ("io client
// disconnect") at once, and nothing more once the Go client runs (it neither
// connects the socket again nor reports the session's end); the server
// drops the socket.
func TestBrowserConnectedEarlyLeft(t *testing.T) {
	e, tb, release := heldPage(t, "connected-early-left", `[["/", {}, {"disconnectOnConnect": true}]]`, 2, earlyOptions{})
	got := pageLog(tb)
	if len(got) != 2 || !strings.HasPrefix(got[0], `[0,"connect",`) || got[1] != `[0,"disconnect","io client disconnect"]` {
		t.Fatalf("page log before client.wasm: %q, want connect, disconnect (io client disconnect)", got)
	}
	release()
	waitJS[bool](tb, "!!io.duplex.timings.goStarted", waitLong)
	deadline := time.Now().Add(10 * time.Second)
	for len(e.srv.Of("/").Sockets()) != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(e.srv.Of("/").Sockets()); n != 0 {
		t.Errorf("%d sockets left on the server, want 0", n)
	}
	// The Go client has run its queue by now: one more turn of the page's
	// event loop, then the log is what it was.
	eval[bool](tb, "new Promise((resolve) => setTimeout(() => resolve(true), 50))")
	if again := pageLog(tb); !slices.Equal(again, got) {
		t.Errorf("page log: %q, want %q", again, got)
	}
	if eval[bool](tb, "__sockets[0].connected || __sockets[0].active") {
		t.Errorf("the socket is connected or active")
	}
}

// TestBrowserConnectedEarlyExpired: the session the loader connected has
// expired (no poll for the ping interval and timeout) when the Go client
// takes it over: the page sees disconnect ("transport error", or "ping
// timeout" when the answer to its poll is late), then the Go
// client's connection on a new session, with another id.
func TestBrowserConnectedEarlyExpired(t *testing.T) {
	// Long enough that the Go client's session is not lost to a late pong
	// under load once it has connected (150 ms was: "ping timeout").
	const ping = time.Second
	e, tb, release := heldPage(t, "connected-early-expired", `[["/"]]`, 1, earlyOptions{ping: ping})
	first := pageLog(tb)
	if len(first) != 1 || !strings.HasPrefix(first[0], `[0,"connect",`) {
		t.Fatalf("page log before client.wasm: %q, want a connect", first)
	}
	// The server ends the session after the ping interval and timeout
	// without a poll: wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for len(e.srv.Of("/").Sockets()) != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(e.srv.Of("/").Sockets()); n != 0 {
		t.Fatalf("%d sockets on the server after the session's ping timeout, want 0", n)
	}
	release()
	waitJS[bool](tb, `window.__log.filter((l) => l[1] === "connect").length >= 2`, waitLong)
	got := pageLog(tb)
	// The Go client learns that the session is gone from its first poll
	// (400: "transport error") or, when that answer is late, from its
	// heartbeat ("ping timeout"), as socket.io-client would.
	lost := len(got) > 1 && (got[1] == `[0,"disconnect","transport error"]` || got[1] == `[0,"disconnect","ping timeout"]`)
	if len(got) != 3 || got[0] != first[0] || !lost ||
		!strings.HasPrefix(got[2], `[0,"connect",`) || !strings.HasSuffix(got[2], `,true,true]`) || got[2] == strings.Replace(first[0], "false]", "true]", 1) {
		t.Errorf("page log: %q, want connect, disconnect (transport error or ping timeout), connect (another id, by the Go client)", got)
	}
	alternates(t, tb)
}

// TestBrowserConnectedEarlyRetry: the page's connect_error handler sets
// socket.auth and calls connect() after the loader reported a refusal,
// before the Go client started: once the Go client runs (and has handled
// the same refusal without reporting it), the socket connects with the new
// auth.
func TestBrowserConnectedEarlyRetry(t *testing.T) {
	e, tb, release := heldPage(t, "connected-early-retry", `[["/", {"auth": {"token": "bad"}}, {"retryAuth": {"token": "ok"}}]]`, 1, earlyOptions{
		use: func(s *server.Socket, next func(error)) {
			if string(s.Handshake().Auth) == `{"token":"ok"}` {
				next(nil)
				return
			}
			next(&server.ConnectError{Message: "not allowed"})
		},
	})
	want := []string{`[0,"connect_error","not allowed","\"(none)\""]`}
	if got := pageLog(tb); !slices.Equal(got, want) {
		t.Fatalf("page log before client.wasm: %q, want %q", got, want)
	}
	release()
	waitJS[bool](tb, `window.__log.length >= 2`, waitLong)
	if got := eval[string](tb, `__sockets[0].emitWithAck("echo", "retried")`); got != "retried" {
		t.Errorf("echo: %q", got)
	}
	got := pageLog(tb)
	if len(got) != 2 || got[0] != want[0] || !strings.HasPrefix(got[1], `[0,"connect",`) {
		t.Errorf("page log: %q, want connect_error, then connect; requests %q", got, e.log())
	}
	if n := len(e.srv.Of("/").Sockets()); n != 1 {
		t.Errorf("%d sockets on the server, want 1", n)
	}
}
