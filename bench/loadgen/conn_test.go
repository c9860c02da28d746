//go:build !js

package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fakeServer accepts one TCP connection on 127.0.0.1 and runs serve on it
// (the peer of the load generator, written frame by frame); serve's error
// fails the test. The connection is closed when serve returns, the listener
// when the test ends.
func fakeServer(t *testing.T, serve func(nc net.Conn, br *bufio.Reader) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails, never blocks
		done <- serve(nc, bufio.NewReader(nc))
	}()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("fake server: %v", err)
		}
	})
	return ln.Addr().String()
}

// readUpgrade reads the client's opening handshake, checks it as a server
// must (RFC 6455 section 4.2.1) and returns its key.
func readUpgrade(br *bufio.Reader) (string, error) {
	req, err := http.ReadRequest(br)
	if err != nil {
		return "", err
	}
	key := req.Header.Get("Sec-WebSocket-Key")
	nonce, err := base64.StdEncoding.DecodeString(key)
	switch {
	case req.Method != http.MethodGet || req.URL.Path != "/socket.io/" || req.URL.Query().Get("EIO") != "4" ||
		req.URL.Query().Get("transport") != "websocket":
		return "", fmt.Errorf("request %s %s", req.Method, req.URL)
	case !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") || !headerHasToken(req.Header, "Connection", "Upgrade"):
		return "", fmt.Errorf("upgrade headers %q", req.Header)
	case req.Header.Get("Sec-WebSocket-Version") != "13":
		return "", fmt.Errorf("version %q", req.Header.Get("Sec-WebSocket-Version"))
	case err != nil || len(nonce) != 16:
		return "", fmt.Errorf("key %q: %d bytes, %v", key, len(nonce), err)
	case req.Host == "":
		return "", errors.New("no Host")
	}
	return key, nil
}

func switching(key string) []byte {
	return []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n")
}

// readFrom reads one client frame from br; it must be masked.
func readFrom(br *bufio.Reader) (clientFrame, error) {
	b := make([]byte, 2, 14)
	if _, err := io.ReadFull(br, b); err != nil {
		return clientFrame{}, err
	}
	ext := map[byte]int{126: 2, 127: 8}[b[1]&0x7F]
	if b[1]&0x80 != 0 {
		ext += 4 // mask key
	}
	b = b[:2+ext]
	if _, err := io.ReadFull(br, b[2:]); err != nil {
		return clientFrame{}, err
	}
	n := int(b[1] & 0x7F)
	switch n {
	case 126:
		n = int(binary.BigEndian.Uint16(b[2:]))
	case 127:
		n = int(binary.BigEndian.Uint64(b[2:]))
	}
	b = append(b, make([]byte, n)...)
	if _, err := io.ReadFull(br, b[2+ext:]); err != nil {
		return clientFrame{}, err
	}
	f, _, err := readClientFrame(b)
	if err == nil && !f.masked {
		err = errors.New("unmasked client frame")
	}
	return f, err
}

// expectFrame reads one client frame and checks its opcode and payload.
func expectFrame(br *bufio.Reader, op byte, payload string) error {
	f, err := readFrom(br)
	if err != nil {
		return err
	}
	if !f.fin || f.op != op || string(f.payload) != payload {
		return fmt.Errorf("client frame fin %v op %d %q; want op %d %q", f.fin, f.op, f.payload, op, payload)
	}
	return nil
}

func testDialer(addr string) *Dialer {
	return NewDialer(addr, &DialOptions{HandshakeTimeout: 5 * time.Second})
}

// TestConnFraming drives a Conn from a hand-written server: the open packet
// comes in three fragments with a ping between them, in the same TCP write as
// the 101; an Engine.IO ping precedes the CONNECT reply; then an ack, "msg"
// events and a close frame.
func TestConnFraming(t *testing.T) {
	addr := fakeServer(t, func(nc net.Conn, br *bufio.Reader) error {
		key, err := readUpgrade(br)
		if err != nil {
			return err
		}
		open := []byte(`0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
		out := bytes.Join([][]byte{
			switching(key),
			serverFrame(false, opText, open[:10]),
			serverFrame(true, opPing, []byte("hb")),
			serverFrame(false, opContinuation, open[10:40]),
			serverFrame(true, opContinuation, open[40:]),
		}, nil)
		if _, err := nc.Write(out); err != nil {
			return err
		}
		if err := expectFrame(br, opPong, "hb"); err != nil {
			return err
		}
		if err := expectFrame(br, opText, "40"); err != nil {
			return err
		}
		if _, err := nc.Write(serverFrame(true, opText, []byte("2"))); err != nil {
			return err
		}
		if err := expectFrame(br, opText, "3"); err != nil {
			return err
		}
		if _, err := nc.Write(serverFrame(true, opText, []byte(`40{"sid":"id1"}`))); err != nil {
			return err
		}
		if err := expectFrame(br, opText, `420["echo",1]`); err != nil {
			return err
		}
		big := `42["msg","` + strings.Repeat("x", 10000) + `"]`
		out = bytes.Join([][]byte{
			serverFrame(true, opText, []byte(`430[1]`)),
			serverFrame(true, opText, []byte(`42["msg","xx"]`)),
			serverFrame(true, opText, []byte(big)),
			serverFrame(true, opText, []byte("2")),
			serverFrame(true, opClose, append([]byte{0x03, 0xE9}, "bye"...)), // 1001
		}, nil)
		if _, err := nc.Write(out); err != nil {
			return err
		}
		if err := expectFrame(br, opText, "3"); err != nil {
			return err
		}
		return expectFrame(br, opClose, "\x03\xE9")
	})
	ctx := context.Background()
	c, err := testDialer(addr).Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.SID != "s1" || c.ID != "id1" {
		t.Fatalf("SID %q ID %q", c.SID, c.ID)
	}
	c.reset(-1, 0, nil, false, nil)
	ack, err := c.Call(ctx, []byte(`["echo",1]`))
	if err != nil {
		t.Fatal(err)
	}
	if string(ack) != "[1]" {
		t.Fatalf("ack %q", ack)
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not stop after the close frame")
	}
	if err := c.Err(); !errors.Is(err, ErrServerClosed) || !strings.Contains(err.Error(), `1001 "bye"`) {
		t.Fatalf("Err() = %v, want ErrServerClosed with the status", err)
	}
	if n, bad := c.Msgs(); n != 2 || bad != 0 {
		t.Fatalf("msgs %d, bad %d; want 2, 0", n, bad)
	}
	if c.Pings() != 1 {
		t.Fatalf("pings %d, want 1 (the one after the handshake)", c.Pings())
	}
}

// TestConnBadFrame: a masked frame from the server ends the reader with
// ErrFrame and closes the TCP connection.
func TestConnBadFrame(t *testing.T) {
	addr := fakeServer(t, func(nc net.Conn, br *bufio.Reader) error {
		key, err := readUpgrade(br)
		if err != nil {
			return err
		}
		out := bytes.Join([][]byte{
			switching(key),
			serverFrame(true, opText, []byte(`0{"sid":"s2","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)),
		}, nil)
		if _, err := nc.Write(out); err != nil {
			return err
		}
		if err := expectFrame(br, opText, "40"); err != nil {
			return err
		}
		out = append(serverFrame(true, opText, []byte(`40{"sid":"id2"}`)), appendFrame(nil, opText, []byte("2"))...)
		if _, err := nc.Write(out); err != nil {
			return err
		}
		if n, err := br.Read(make([]byte, 1)); err != io.EOF {
			return fmt.Errorf("after a bad frame the client sent %d bytes, %v; want EOF", n, err)
		}
		return nil
	})
	c, err := testDialer(addr).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not stop after a masked server frame")
	}
	if err := c.Err(); !errors.Is(err, ErrFrame) {
		t.Fatalf("Err() = %v, want ErrFrame", err)
	}
}

func TestDialUpgradeRefused(t *testing.T) {
	tests := []struct {
		name  string
		reply func(key string) string
	}{
		{"wrong accept", func(string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
				acceptKey("dGhlIHNhbXBsZSBub25jZQ==") + "\r\n\r\n"
		}},
		{"no accept", func(string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
		}},
		{"status 400", func(string) string {
			return "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno"
		}},
		{"no upgrade", func(key string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n"
		}},
		{"no connection", func(key string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n"
		}},
		{"extension", func(key string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
				acceptKey(key) + "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := fakeServer(t, func(nc net.Conn, br *bufio.Reader) error {
				key, err := readUpgrade(br)
				if err != nil {
					return err
				}
				_, err = nc.Write([]byte(tt.reply(key)))
				return err
			})
			c, err := testDialer(addr).Dial(context.Background())
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			if !errors.Is(err, ErrUpgrade) {
				t.Fatalf("got %v, want ErrUpgrade", err)
			}
		})
	}
}

// TestDialHandshakeTimeout: a server that accepts and never answers fails the
// Dial after HandshakeTimeout.
func TestDialHandshakeTimeout(t *testing.T) {
	addr := fakeServer(t, func(nc net.Conn, br *bufio.Reader) error {
		if _, err := readUpgrade(br); err != nil {
			return err
		}
		_, _ = br.Read(make([]byte, 1)) // until the client gives up
		return nil
	})
	d := NewDialer(addr, &DialOptions{HandshakeTimeout: 200 * time.Millisecond})
	start := time.Now()
	c, err := d.Dial(context.Background())
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second { // a hang bound, not a timing assertion
		t.Fatalf("Dial returned after %v", d)
	}
}

// TestRealServers runs the scenarios briefly against the duplex server and
// the Node socket.io server (its ws library): acks, broadcasts of messages
// larger than the read buffer, room delivery.
func TestRealServers(t *testing.T) {
	for _, polling := range []bool{false, true} {
		for name, start := range map[string]func(testing.TB) string{"duplex": startDuplex, "node": startNode} {
			if polling {
				name += "/polling"
			}
			t.Run(name, func(t *testing.T) { testRealServer(t, start, polling) })
		}
	}
}

// testRealServer is TestRealServers on one server and transport.
func testRealServer(t *testing.T, start func(testing.TB) string, polling bool) {
	{
		{
			ctx := context.Background()
			d := NewDialer(start(t), &DialOptions{SourceAddrs: 2, HandshakeTimeout: 10 * time.Second, Polling: polling})
			defer d.Close()
			conns, err := Connect(ctx, d, 6, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer CloseAll(conns)
			gets0, posts0 := conns[1].HTTPRequests()
			res, err := Echo(ctx, conns, time.Minute, 50, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.RoundTrips != 6*50 || res.Mismatched != 0 {
				t.Fatalf("echo: %d round trips, %d mismatched", res.RoundTrips, res.Mismatched)
			}
			// One POST per echo (one at a time, closed loop) and at least
			// one GET per ack; none over websocket. The answer to the last
			// POST may come after the ack (Node answers the GET first): give
			// it time to be counted.
			gets, posts := conns[1].HTTPRequests()
			for deadline := time.Now().Add(5 * time.Second); polling && posts-posts0 < 50 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
				gets, posts = conns[1].HTTPRequests()
			}
			gets, posts = gets-gets0, posts-posts0
			switch {
			case polling && (posts < 50 || gets < 50):
				t.Fatalf("polling echo of 50: %d GETs, %d POSTs answered", gets, posts)
			case !polling && (gets != 0 || posts != 0):
				t.Fatalf("websocket: %d GETs, %d POSTs counted", gets, posts)
			}
			for _, size := range []int{10, 6000, 70000} {
				b := Broadcast{Count: 5, Size: size}
				br, err := RunBroadcast(ctx, conns[0], conns, nil, b, 20*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if br.Delivered != br.Expected || br.BadSize != 0 || !br.Acked {
					t.Fatalf("broadcast %d B: %+v", size, br)
				}
			}
			if err := Join(ctx, conns[:2], "r"); err != nil {
				t.Fatal(err)
			}
			br, err := RunBroadcast(ctx, conns[3], conns[:2], conns[2:], Broadcast{Count: 3, Size: 100, Room: "r"}, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if br.Delivered != br.Expected || br.Unexpected != 0 || br.BadSize != 0 {
				t.Fatalf("room broadcast: %+v", br)
			}
			if err := Failed(conns); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestRealServersDeflate: with Deflate the load generator negotiates
// permessage-deflate without context takeover with both servers, inflates
// their compressed broadcasts (JSON-like text checked byte for byte, small
// and large, one past the read buffer) and sees fewer bytes on the wire
// than the messages hold.
func TestRealServersDeflate(t *testing.T) {
	for name, start := range map[string]func(testing.TB) string{"duplex": startDuplex, "node": startNode} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := NewDialer(start(t), &DialOptions{SourceAddrs: 2, HandshakeTimeout: 10 * time.Second, Deflate: true})
			conns, err := Connect(ctx, d, 4, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer CloseAll(conns)
			for _, size := range []int{100, 1024, 40000} {
				before := conns[1].WireBytes()
				b := Broadcast{Count: 20, Size: size, JSON: true, Seed: size}
				br, err := RunBroadcast(ctx, conns[0], conns, nil, b, 20*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if br.Delivered != br.Expected || br.BadSize != 0 || !br.Acked {
					t.Fatalf("broadcast %d B: %+v", size, br)
				}
				if wire := conns[1].WireBytes() - before; size >= 1024 && wire >= int64(b.Count*size) {
					t.Fatalf("broadcast %d B: %d bytes on the wire for %d bytes of messages: not compressed", size, wire, b.Count*size)
				}
			}
			res, err := Echo(ctx, conns, time.Minute, 20, 10*time.Second)
			if err != nil || res.RoundTrips != 4*20 {
				t.Fatalf("echo: %+v, %v", res, err)
			}
			if err := Failed(conns); err != nil {
				t.Fatal(err)
			}
		})
	}
}
