//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// adminUIDir is where `make deps` installs the official Admin UI's files.
func adminUIDir() string {
	return filepath.Join(repoRoot(), "interop", "admin", "node_modules", "@socket.io", "admin-ui", "ui", "dist")
}

// startAdminDemo runs duplex-demo with the Admin UI at /admin/ and the admin
// password given; the wasm pages are not needed (no -wasm build).
func startAdminDemo(t *testing.T, password string) *demo {
	t.Helper()
	if _, err := os.Stat(filepath.Join(adminUIDir(), "index.html")); err != nil {
		t.Fatalf("the Admin UI is not installed (run make deps, or npm ci in interop/admin): %v", err)
	}
	d := &demo{t: t, done: make(chan struct{})}
	d.cmd = exec.Command(demoBinary(t), "-addr", "127.0.0.1:0", "-www", t.TempDir(), "-wasm", t.TempDir(),
		"-admin-ui", adminUIDir(), "-admin-user", "ops", "-admin-password", password)
	outPipe, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting duplex-demo: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.read(outPipe, &d.stdout) }()
	go func() { defer wg.Done(); d.read(errPipe, &d.stderr) }()
	go func() {
		wg.Wait()
		_ = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("duplex-demo stderr:\n%s", &d.stderr)
		}
	})
	line := d.waitLine(&d.stderr, "listening on http://", waitShort)
	d.origin = "http://" + strings.TrimSuffix(strings.Fields(line[strings.Index(line, "http://")+len("http://"):])[0], "/")
	return d
}

// goClient connects duplex's Go client to url with transports; it records
// its disconnect reasons and the "message" events it gets.
type goClient struct {
	sock     *client.Socket
	reasons  chan string
	messages chan string
}

func connectGo(t *testing.T, url string, transports ...string) *goClient {
	t.Helper()
	c := &goClient{reasons: make(chan string, 10), messages: make(chan string, 10)}
	c.sock = client.Connect(url, &client.Options{Engine: engine.Options{Transports: transports}, NoReconnection: true})
	t.Cleanup(func() { c.sock.Manager().Close() })
	connected := make(chan struct{}, 1)
	c.sock.OnConnect(func() { connected <- struct{}{} })
	c.sock.OnDisconnect(func(r string) { c.reasons <- r })
	c.sock.On("message", func(e *client.Event) { c.messages <- string(e.Args.Raw(0)) })
	select {
	case <-connected:
	case <-time.After(waitShort):
		t.Fatalf("%s did not connect", url)
	}
	return c
}

// fillByLabel types text into the Vuetify text field labelled label.
func fillByLabel(tb *tab, label, text string) {
	tb.t.Helper()
	id := eval[string](tb, fmt.Sprintf(`(() => {
		const l = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === %q);
		return l ? l.htmlFor : '';
	})()`, label))
	if id == "" {
		tb.t.Fatalf("no field labelled %q", label)
	}
	_ = eval[bool](tb, fmt.Sprintf(`(() => {
		const el = document.getElementById(%q);
		el.value = '';
		el.dispatchEvent(new Event('input', {bubbles: true}));
		return true;
	})()`, id))
	tb.do(chromedp.SendKeys(chromedp.ID(id), text))
}

// route shows the UI's page at hash (the SPA stays loaded, its connection
// open). It goes through another page first: the UI's router reuses a page
// whose route only differs in its parameters, without reading them again.
func route(tb *tab, hash string) {
	tb.t.Helper()
	_ = eval[bool](tb, `(location.hash = '#/servers/', true)`)
	waitJS[bool](tb, `location.hash === '#/servers/'`, waitShort)
	_ = eval[bool](tb, fmt.Sprintf(`(location.hash = %q, true)`, hash))
}

// pageText waits until the page's text contains every one of want (case
// insensitive: the UI capitalizes some values, e.g. "WebSocket").
func pageText(tb *tab, want ...string) {
	tb.t.Helper()
	js, _ := json.Marshal(want)
	waitJS[bool](tb, fmt.Sprintf(`%s.every(w => document.body.innerText.toLowerCase().includes(w.toLowerCase()))`, js), waitLong)
}

// TestAdminUI drives the official Admin UI, served by the demo, against the
// demo: login with bcrypt credentials, the server, sockets with their
// transport, rooms, live event counts, and the "join room" and "disconnect"
// actions acting on real Go clients.
func TestAdminUI(t *testing.T) {
	d := startAdminDemo(t, "s3cret!")

	// Scripted clients: ann (websocket) in chat room lobby, bob (polling)
	// in /chat without a room, cid (websocket) on / (saying hello 3 times
	// once the UI is connected).
	ann := connectGo(t, d.origin+"/chat", "websocket")
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if _, err := ann.sock.EmitWithAck(ctx, "join", map[string]string{"room": "lobby", "nick": "ann"}); err != nil {
		t.Fatal(err)
	}
	bob := connectGo(t, d.origin+"/chat", "polling")
	cid := connectGo(t, d.origin, "websocket")

	tb := newTab(t, "admin-ui")
	tb.do(chromedp.EmulateViewport(1400, 900))
	tb.navigate(d.origin + "/admin/")
	waitJS[bool](tb, `[...document.querySelectorAll('label')].some(l => l.textContent.trim() === 'Server URL')`, waitLong)

	// A wrong password is refused; the right one logs in.
	fillByLabel(tb, "Server URL", d.origin)
	fillByLabel(tb, "Username", "ops")
	fillByLabel(tb, "Password", "wrong")
	_ = eval[bool](tb, `(document.querySelector('button[type=submit]').click(), true)`)
	pageText(tb, "Invalid credentials")
	fillByLabel(tb, "Password", "s3cret!")
	_ = eval[bool](tb, `(document.querySelector('button[type=submit]').click(), true)`)
	store := `document.querySelector('#app').__vue__.$store.state`
	waitJS[bool](tb, store+`.connection.connected === true`, waitLong)
	for i := range 3 { // live events: after the UI connected
		if err := cid.sock.Emit("hello-message", fmt.Sprint("hello ", i)); err != nil {
			t.Fatal(err)
		}
	}

	// The server, as the UI lists it.
	host, _ := os.Hostname()
	route(tb, "#/servers/")
	pageText(tb, host)

	// Sockets with their transport: cid on "/", ann and bob on /chat.
	route(tb, "#/sockets/")
	pageText(tb, cid.sock.ID(), "websocket")
	route(tb, "#/n/%2Fchat/sockets/"+bob.sock.ID())
	pageText(tb, bob.sock.ID(), "polling")
	route(tb, "#/n/%2Fchat/sockets/"+ann.sock.ID())
	pageText(tb, ann.sock.ID(), "websocket", "lobby")

	// Live event counts: the dashboard's aggregated packets, and the three
	// hello-message events in the events list.
	waitJS[bool](tb, store+`.main.aggregatedEvents.filter(e => e.type === 'packetsIn').reduce((n, e) => n + e.count, 0) >= 3`, waitLong)
	helloEvents := store + `.main.namespaces.find(n => n.name === '/').events.filter(e => e.type === 'event_received' && e.eventName === 'hello-message').length`
	waitJS[bool](tb, helloEvents+" >= 3", waitLong)
	n := eval[int](tb, helloEvents)
	if n != 3 {
		t.Errorf("the UI shows %d hello-message events received, want 3", n)
	}
	route(tb, "#/events/")
	pageText(tb, "hello-message")

	// "Join a room" from the UI: bob joins lobby, and gets ann's message.
	route(tb, "#/n/%2Fchat/sockets/"+bob.sock.ID())
	pageText(tb, bob.sock.ID())
	tb.do(chromedp.SendKeys(chromedp.CSS(".select-room input"), "lobby"))
	_ = eval[bool](tb, `(document.querySelector('.select-room').closest('form').querySelector('button[type=submit]').click(), true)`)
	pageText(tb, "lobby")
	if _, err := ann.sock.EmitWithAck(ctx, "say", map[string]string{"text": "hi bob"}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-bob.messages:
		if !strings.Contains(m, "hi bob") {
			t.Errorf("bob got %s", m)
		}
	case <-time.After(waitShort):
		t.Fatal("bob did not get the room's message after joining it from the UI")
	}

	// Screenshot of the dashboard: into $DUPLEX_ADMIN_SCREENSHOT when set
	// (DUPLEX_ADMIN_SCREENSHOT=$PWD/docs/admin-ui.png go test ./e2e -run
	// TestAdminUI), else a temporary directory.
	route(tb, "#/")
	waitJS[bool](tb, store+`.main.aggregatedEvents.length > 0`, waitLong)
	time.Sleep(2500 * time.Millisecond) // one more server_stats for the charts
	ctxShot, cancelShot := context.WithTimeout(tb.ctx, waitLong)
	defer cancelShot()
	png, err := chromedp.Run(ctxShot, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("DUPLEX_ADMIN_SCREENSHOT") // docs/admin-ui.png is made that way
	if out == "" {
		out = filepath.Join(t.TempDir(), "admin-ui.png")
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}

	// "Disconnect" from the UI: cid is disconnected by the server.
	route(tb, "#/n/%2F/sockets/"+cid.sock.ID())
	pageText(tb, cid.sock.ID())
	_ = eval[bool](tb, `(document.querySelector('.mdi-logout').closest('button').click(), true)`)
	select {
	case r := <-cid.reasons:
		if r != "io server disconnect" {
			t.Errorf("cid disconnected with %q, want io server disconnect", r)
		}
	case <-time.After(waitShort):
		t.Fatal("the UI's disconnect did not disconnect the client")
	}
	waitJS[bool](tb, store+`.main.namespaces.find(n => n.name === '/').sockets.every(s => s.id !== '`+cid.sock.ID()+`')`, waitLong)
}
