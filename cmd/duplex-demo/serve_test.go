package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// demoRun is run() serving in the background on a loopback port.
type demoRun struct {
	url  string // http://127.0.0.1:port
	addr string
	log  *lines // the demo's log (slog text lines)
	stop context.CancelFunc
	done chan error
}

// wwwDir is the repository's www/: the real pages, with the chat's Go
// sources and go.mod next to them.
func wwwDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "www")
	if _, err := os.Stat(filepath.Join(dir, "chat", "main.go")); err != nil {
		t.Fatalf("www/ of the repository: %v", err)
	}
	return dir
}

// startRun runs the demo as main does (same run, same handlers) with the
// given timeouts; the test's cleanup stops it and checks that it ended.
func startRun(t *testing.T, timeouts Timeouts) *demoRun {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &demoRun{addr: ln.Addr().String(), log: &lines{}, done: make(chan error, 1)}
	d.url = "http://" + d.addr
	ctx, cancel := context.WithCancel(context.Background())
	d.stop = cancel
	cfg := config{
		WWW:      wwwDir(t),
		Wasm:     t.TempDir(), // no wasm build: only the pages and the loader
		Log:      slog.New(slog.NewTextHandler(d.log, nil)),
		Timeouts: timeouts,
	}
	go func() { d.done <- run(ctx, ln, cfg) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-d.done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(hang):
			t.Errorf("run did not return")
		}
		if t.Failed() {
			t.Logf("demo log:\n%s", d.log.String())
		}
	})
	return d
}

// wait returns run's result after stop.
func (d *demoRun) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-d.done:
		d.done <- err // for the cleanup
		return err
	case <-time.After(hang):
		t.Fatal("run did not return")
		return nil
	}
}

// endedByServer reads c until it fails and reports whether the server ended
// the connection (EOF or reset) before within passed.
func endedByServer(c net.Conn, within time.Duration) (bool, error) {
	_ = c.SetReadDeadline(time.Now().Add(within))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false, err
	}
	return true, err
}

// TestIdleKeepAliveClosed: a keep-alive connection that sends no further
// request is closed after Timeouts.Idle (issue 10, item 13: before, 2000 of
// 2000 such connections were held for good).
func TestIdleKeepAliveClosed(t *testing.T) {
	d := startRun(t, Timeouts{Idle: 300 * time.Millisecond})
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+d.addr+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("GET /: %s (close %v)", resp.Status, resp.Close)
	}
	if ok, err := endedByServer(c, 3*time.Second); !ok {
		t.Fatalf("the idle keep-alive connection is still open after 3 s (idle timeout 300 ms): %v", err)
	}
}

// handshake opens a polling session and returns its id.
func handshake(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_, rest, ok := strings.Cut(string(b), `"sid":"`)
	sid, _, ok2 := strings.Cut(rest, `"`)
	if resp.StatusCode != http.StatusOK || !ok || !ok2 {
		t.Fatalf("handshake: %s %q", resp.Status, b)
	}
	return sid
}

// TestTrickledBodyCut: a polling POST whose body arrives a byte at a time is
// cut after Timeouts.Read (issue 10, item 13: before, it was held as long as
// the client kept trickling).
func TestTrickledBodyCut(t *testing.T) {
	d := startRun(t, Timeouts{Read: 500 * time.Millisecond})
	sid := handshake(t, d.url)
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	head := "POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: " + d.addr +
		"\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 1000\r\n\r\n"
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	trickled := make(chan struct{})
	go func() {
		defer close(trickled)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := c.Write([]byte("4")); err != nil {
				return
			}
		}
	}()
	ok, err := endedByServer(c, 4*time.Second)
	close(stop)
	<-trickled
	if !ok {
		t.Fatalf("a POST body trickled for 4 s is still being read (read timeout 500 ms): %v", err)
	}
}

// TestLongLivedConnectionsKept: the timeouts do not cut what is meant to last.
// A long-polling GET and a WebSocket stay quiet for several times the read,
// idle and header timeouts, then still carry the namespace CONNECT and its
// answer. It fails with a WriteTimeout (set when a request starts, kept by a
// hijacked connection), or if net/http kept the read deadline of a request
// after reading it.
func TestLongLivedConnectionsKept(t *testing.T) {
	const quiet = 1500 * time.Millisecond
	d := startRun(t, Timeouts{Read: 200 * time.Millisecond, Idle: 200 * time.Millisecond, ReadHeader: 200 * time.Millisecond})

	// Polling: a GET waits for the server's next packet.
	sid := handshake(t, d.url)
	poll, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer poll.Close()
	if _, err := io.WriteString(poll, "GET /socket.io/?EIO=4&transport=polling&sid="+sid+" HTTP/1.1\r\nHost: "+d.addr+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	pollAnswer := make(chan string, 1)
	go func() {
		_ = poll.SetReadDeadline(time.Now().Add(hang))
		resp, err := http.ReadResponse(bufio.NewReader(poll), nil)
		if err != nil {
			pollAnswer <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		pollAnswer <- resp.Status + " " + string(b)
	}()

	// WebSocket: handshake and open packet, then nothing.
	ws, wsr := dialWebsocket(t, d.addr)
	defer ws.Close()
	if open := readFrame(t, ws, wsr); !strings.HasPrefix(open, "0{") {
		t.Fatalf("websocket open packet %q", open)
	}

	time.Sleep(quiet)
	select {
	case a := <-pollAnswer:
		t.Fatalf("the long poll was answered while the session was quiet: %s", a)
	default:
	}

	// The poll gets the answer to a CONNECT sent on the side.
	resp, err := http.Post(d.url+"/socket.io/?EIO=4&transport=polling&sid="+sid, "text/plain;charset=UTF-8", strings.NewReader("40"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if a := recv(t, pollAnswer); !strings.HasPrefix(a, "200 OK 40{") {
		t.Fatalf("the long poll's answer %q, want 200 with the CONNECT answer", a)
	}
	// The WebSocket carries a CONNECT and its answer.
	writeFrame(t, ws, "40")
	if a := readFrame(t, ws, wsr); !strings.HasPrefix(a, "40{") {
		t.Fatalf("websocket answer %q, want the CONNECT answer", a)
	}
}

// dialWebsocket opens an Engine.IO WebSocket by hand (no client library: the
// tests control every byte and every pause).
func dialWebsocket(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: "+addr+
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"+
		"Sec-WebSocket-Version: 13\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(hang))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("websocket handshake: %v %v", resp, err)
	}
	return c, br
}

// readFrame reads one unfragmented text frame of under 126 bytes (what the
// server sends first: the open packet, a CONNECT answer).
func readFrame(t *testing.T, c net.Conn, br *bufio.Reader) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(hang))
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	if h[0] != 0x81 || h[1] >= 126 {
		t.Fatalf("frame header % x: want a short unfragmented text frame", h)
	}
	b := make([]byte, h[1])
	if _, err := io.ReadFull(br, b); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	return string(b)
}

// writeFrame writes a short masked text frame, as a client must.
func writeFrame(t *testing.T, c net.Conn, text string) {
	t.Helper()
	mask := [4]byte{1, 2, 3, 4}
	f := append([]byte{0x81, 0x80 | byte(len(text))}, mask[:]...)
	for i := 0; i < len(text); i++ {
		f = append(f, text[i]^mask[i%4])
	}
	if _, err := c.Write(f); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownClosesStragglers: a WebSocket client that never answers the
// close frame and a connection that never sends its request do not hold the
// shutdown: run returns nil within the budget and both connections are
// closed (issue 10, item 14: before, they used the whole budget and the demo
// exited 1).
func TestShutdownClosesStragglers(t *testing.T) {
	const budget = 2 * time.Second
	d := startRun(t, Timeouts{Shutdown: budget})

	// A websocket that completes the handshake, then never reads or writes.
	ws, _ := dialWebsocket(t, d.addr)
	defer ws.Close()
	// A connection that never sends its request.
	silent, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// And a well-behaved client, to show the graceful part still happens.
	s := client.Connect(d.url, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}, NoReconnection: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(func() { s.Manager().Close() })
	connected, reasons := make(chan struct{}, 1), make(chan string, 1)
	s.OnConnect(func() { connected <- struct{}{} })
	s.OnDisconnect(func(reason string) { reasons <- reason })
	recv(t, connected)
	time.Sleep(100 * time.Millisecond) // the silent connection is accepted

	start := time.Now()
	d.stop()
	err = d.wait(t)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("run returned %v after %v, want nil", err, took)
	}
	if took > budget {
		t.Fatalf("shutdown took %v, over its budget of %v", took, budget)
	}
	for name, c := range map[string]net.Conn{"websocket": ws, "silent": silent} {
		if ok, err := endedByServer(c, time.Second); !ok {
			t.Errorf("the %s connection is still open after the shutdown: %v", name, err)
		}
	}
	// As with the reference's io.close(): the transport closes, no DISCONNECT.
	if r := recv(t, reasons); r != "transport close" {
		t.Errorf("the well-behaved client's disconnect reason %q", r)
	}
	t.Logf("shutdown took %v (budget %v)", took, budget)
}
