//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/internal/nodetest"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// start serves the floor server on a loopback port until the test ends.
func start(t *testing.T) (addr string, srv *server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv = newServer(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	served := make(chan error, 1)
	go func() { served <- srv.serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String(), srv
}

// TestLoadgenEcho drives the floor server with the benchmark's own load
// generator: handshake, CONNECT, closed-loop echo whose acks must carry the
// arguments sent.
func TestLoadgenEcho(t *testing.T) {
	addr, _ := start(t)
	d := loadgen.NewDialer(addr, nil)
	defer d.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	conns, err := loadgen.Connect(ctx, d, 20, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer loadgen.CloseAll(conns)
	for _, c := range conns {
		if len(c.SID) != sidLen || len(c.ID) != sidLen {
			t.Fatalf("ids %q, %q: want %d characters", c.SID, c.ID, sidLen)
		}
	}
	res, err := loadgen.Echo(ctx, conns, 10*time.Second, 50, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.RoundTrips != 20*50 || res.Mismatched != 0 {
		t.Fatalf("echo: %d round trips (%d mismatched), want %d", res.RoundTrips, res.Mismatched, 20*50)
	}
	if err := loadgen.Failed(conns); err != nil {
		t.Fatal(err)
	}
}

// TestOfficialClient: the npm socket.io-client connects, gets its echo acks
// with the arguments verbatim, and is refused another namespace.
func TestOfficialClient(t *testing.T) {
	addr, _ := start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	out := nodetest.Run(t, ctx, nil, "../bench/floor/testdata/client.js", "http://"+addr+"/")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 6 || lines[5] != "done" {
		t.Fatalf("client output:\n%s", out)
	}
	if lines[0] != `{"connected":true,"id":20}` {
		t.Errorf("connect: %s", lines[0])
	}
	for _, l := range lines[1:4] {
		var r struct{ Sent, Got json.RawMessage }
		if err := json.Unmarshal([]byte(l), &r); err != nil || string(r.Sent) != string(r.Got) {
			t.Errorf("echo: %s (%v)", l, err)
		}
	}
	if lines[4] != `{"admin":"Invalid namespace"}` {
		t.Errorf("other namespace: %s", lines[4])
	}
}

// raw opens a TCP connection to the server with a deadline.
func raw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

const upgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"

// clientFrame is a masked client text frame (or op) with payload p.
func clientFrame(op byte, p string) []byte {
	mask := [4]byte{1, 2, 3, 4}
	b := []byte{0x80 | op}
	switch {
	case len(p) <= 125:
		b = append(b, 0x80|byte(len(p)))
	case len(p) <= 0xffff:
		b = append(b, 0x80|126, byte(len(p)>>8), byte(len(p)))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0x80|127), uint64(len(p)))
	}
	b = append(b, mask[:]...)
	for i := range len(p) {
		b = append(b, p[i]^mask[i&3])
	}
	return b
}

// readFrame reads one unmasked server frame.
func readFrame(t *testing.T, r *bufio.Reader) (op byte, payload string) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint64(l[:]))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0f, string(p)
}

// TestRawProtocol checks the exact bytes: the 101 response (RFC 6455's
// sample key), the open packet, CONNECT, echo with and without arguments,
// an echo without ack (no reply), ping, frames pipelined with the request,
// a large frame, and the close handshake.
func TestRawProtocol(t *testing.T) {
	addr, _ := start(t)
	c := raw(t, addr)
	// The request, CONNECT and a first echo in one write.
	msg := append([]byte(upgrade), clientFrame(opText, "40")...)
	msg = append(msg, clientFrame(opText, `42["echo"]`)...) // no ack: no reply
	msg = append(msg, clientFrame(opText, `427["echo"]`)...)
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	status, err := r.ReadString('\n')
	if err != nil || status != "HTTP/1.1 101 Switching Protocols\r\n" {
		t.Fatalf("status %q, %v", status, err)
	}
	accept := false
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
		accept = accept || l == "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	}
	if !accept {
		t.Error("no or wrong Sec-WebSocket-Accept")
	}
	if op, p := readFrame(t, r); op != opText || !strings.HasPrefix(p, `0{"sid":"`) || !strings.HasSuffix(p, `","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`) {
		t.Fatalf("open packet: %d %q", op, p)
	}
	if op, p := readFrame(t, r); op != opText || len(p) != len(`40{"sid":""}`)+sidLen || !strings.HasPrefix(p, `40{"sid":"`) {
		t.Fatalf("CONNECT reply: %d %q", op, p)
	}
	if _, p := readFrame(t, r); p != "437[]" {
		t.Fatalf("ack: %q", p)
	}
	// A ping, a 70 KB echo (the read buffer grows, then shrinks) and the
	// close handshake.
	big := `4212["echo","` + strings.Repeat("x", 70000) + `",{"a":[1,2]}]`
	for _, f := range [][]byte{clientFrame(opPing, "hi"), clientFrame(opText, big), clientFrame(opClose, "\x03\xe8")} {
		if _, err := c.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if op, p := readFrame(t, r); op != opPong || p != "hi" {
		t.Fatalf("pong: %d %q", op, p)
	}
	if _, p := readFrame(t, r); p != `4312["`+strings.Repeat("x", 70000)+`",{"a":[1,2]}]` {
		t.Fatalf("large ack: %.40q", p)
	}
	if op, p := readFrame(t, r); op != opClose || p != "\x03\xe8" {
		t.Fatalf("close: %d %q", op, p)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("after close: %v, want EOF", err)
	}
}

// TestBadInput: every refused input gets an HTTP error or a close frame
// with a reason, and the connection ends.
func TestBadInput(t *testing.T) {
	addr, _ := start(t)
	httpCases := map[string]string{
		"POST /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n\r\n":                "HTTP/1.1 400 Bad Request",
		"GET /other/?EIO=4&transport=websocket HTTP/1.1\r\n\r\n":                     "HTTP/1.1 404 Not Found",
		"GET /socket.io/?EIO=3&transport=websocket HTTP/1.1\r\n\r\n":                 "HTTP/1.1 400 Bad Request",
		"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n\r\n":                   "HTTP/1.1 400 Bad Request",
		"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\r\n":      "HTTP/1.1 400 Bad Request",
		strings.Replace(upgrade, "Version: 13", "Version: 8", 1):                     "HTTP/1.1 400 Bad Request",
		strings.Replace(upgrade, "dGhlIHNhbXBsZSBub25jZQ==", "short", 1):             "HTTP/1.1 400 Bad Request",
		"GET /socket.io/ HTTP/1.1\r\nX: " + strings.Repeat("y", maxRequest) + "\r\n": "HTTP/1.1 431 Request Header Fields Too Large",
	}
	for req, want := range httpCases {
		c := raw(t, addr)
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		resp, err := io.ReadAll(c)
		if err != nil || !strings.HasPrefix(string(resp), want+"\r\n") {
			t.Errorf("%.60q: got %.80q (%v), want %s", req, resp, err, want)
		}
	}
	frameCases := []struct {
		name   string
		frames [][]byte
		code   string // close code, big endian
		reason string
	}{
		{"event before CONNECT", [][]byte{clientFrame(opText, `421["echo"]`)}, "\x03\xf0", "event before CONNECT"},
		{"other event", [][]byte{clientFrame(opText, "40"), clientFrame(opText, `421["join","r"]`)}, "\x03\xeb", "only the echo event is implemented"},
		{"malformed event", [][]byte{clientFrame(opText, "40"), clientFrame(opText, `421["echo"x`)}, "\x03\xea", "malformed event"},
		{"binary", [][]byte{clientFrame(opBinary, "x")}, "\x03\xeb", "binary and fragmented messages are not implemented"},
		{"empty packet", [][]byte{clientFrame(opText, "")}, "\x03\xea", "empty Engine.IO packet"},
		{"unmasked", [][]byte{{0x81, 0x01, '3'}}, "\x03\xea", "unmasked client frame"},
		{"too big", [][]byte{{0x81, 0xff, 0, 0, 0, 0, 0x10, 0, 0, 0}}, "\x03\xf1", "message too big"},
	}
	for _, tc := range frameCases {
		t.Run(tc.name, func(t *testing.T) {
			c := raw(t, addr)
			msg := []byte(upgrade)
			for _, f := range tc.frames {
				msg = append(msg, f...)
			}
			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(c)
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				if l == "\r\n" {
					break
				}
			}
			for {
				op, p := readFrame(t, r)
				if op == opClose {
					if p != tc.code+tc.reason {
						t.Errorf("close payload %q, want %q", p, tc.code+tc.reason)
					}
					break
				}
			}
			if _, err := r.ReadByte(); err != io.EOF {
				t.Errorf("after close: %v, want EOF", err)
			}
		})
	}
}

// TestCloseEndsConnections: closing the server ends idle connections.
func TestCloseEndsConnections(t *testing.T) {
	addr, srv := start(t)
	d := loadgen.NewDialer(addr, nil)
	defer d.Close()
	conns, err := loadgen.Connect(t.Context(), d, 5, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer loadgen.CloseAll(conns)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := srv.close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a connection outlived the server")
		}
	}
}

// TestEchoAllocs: answering an echo allocates nothing (the reply buffer is
// pooled, the arguments are copied, not parsed).
func TestEchoAllocs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	drained := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, client)
		drained <- n
	}()
	c := &conn{s: newServer(slog.New(slog.DiscardHandler)), nc: sc.(*net.TCPConn), connected: true}
	event := []byte(`212["echo","abcdefghijklmnopqrstuvwxyz012345",42]`)
	if err := c.onSocketIO(event); err != nil { // warms the buffer pool
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() {
		if err := c.onSocketIO(event); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("%.1f allocations per echo, want 0", allocs)
	}
	sc.Close()
	reply := len(`4312["abcdefghijklmnopqrstuvwxyz012345",42]`) + 2
	if n := <-drained; n != int64(202*reply) {
		t.Errorf("client read %d bytes, want %d", n, 202*reply)
	}
}
