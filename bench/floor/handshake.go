//go:build !js

package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

const (
	// maxRequest bounds the HTTP upgrade request (request line and headers).
	maxRequest = 2048
	// handshakeTimeout bounds the wait for the whole upgrade request.
	handshakeTimeout = 10 * time.Second
	// maxPayload is the largest message accepted, as advertised in the open
	// packet (the reference default).
	maxPayload = 1_000_000
	// wsGUID is RFC 6455's key suffix of Sec-WebSocket-Accept.
	wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
)

// errBadRequest is an upgrade request the floor server refuses.
var errBadRequest = errors.New("floor: bad upgrade request")

// handshake reads the HTTP upgrade request, and answers it with the 101
// response and the Engine.IO open packet in one write. Bytes the client sent
// after the request are left in c.buf.
func (c *conn) handshake() error {
	bp := c.s.hsBufs.Get().(*[]byte)
	defer c.s.hsBufs.Put(bp)
	b := *bp
	if err := c.nc.SetReadDeadline(time.Now().Add(handshakeTimeout)); err != nil {
		return err
	}
	n, end := 0, -1
	for end < 0 {
		if n == len(b) {
			c.httpError("431 Request Header Fields Too Large", "request headers too large")
			return fmt.Errorf("%w: over %d bytes", errBadRequest, maxRequest)
		}
		m, err := c.nc.Read(b[n:])
		n += m
		if i := bytes.Index(b[max(0, n-m-3):n], []byte("\r\n\r\n")); i >= 0 {
			end = max(0, n-m-3) + i + 4
		} else if err != nil {
			return fmt.Errorf("floor: reading the upgrade request: %w", err)
		}
	}
	if err := c.nc.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	key, status, msg := parseUpgrade(b[:end])
	if status != "" {
		c.httpError(status, msg)
		return fmt.Errorf("%w: %s", errBadRequest, msg)
	}
	c.buf = make([]byte, max(readBuf, n-end))
	c.n = copy(c.buf, b[end:n])

	// The 101 response, then the open packet as a text frame.
	out := append(b[:0], "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	var kb [24 + len(wsGUID)]byte
	sum := sha1.Sum(append(append(kb[:0], key...), wsGUID...))
	out = base64.StdEncoding.AppendEncode(out, sum[:])
	out = append(out, "\r\n\r\n"...)
	const open1, open2 = `0{"sid":"`, `","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":` // + maxPayload + "}"
	size := len(open1) + sidLen + len(open2) + len(strconv.Itoa(maxPayload)) + 1
	out = appendFrameHeader(out, opText, size)
	out = appendSID(append(out, open1...))
	out = strconv.AppendInt(append(out, open2...), maxPayload, 10)
	out = append(out, '}')
	_, err := c.nc.Write(out)
	return err
}

// parseUpgrade checks the Engine.IO websocket upgrade request req (request
// line and headers, ending in an empty line) and returns its
// Sec-WebSocket-Key, or the HTTP status and message to refuse it with.
func parseUpgrade(req []byte) (key []byte, status, msg string) {
	line, rest, _ := bytes.Cut(req, []byte("\r\n"))
	method, line, _ := bytes.Cut(line, []byte(" "))
	target, proto, _ := bytes.Cut(line, []byte(" "))
	if string(method) != "GET" || !bytes.HasPrefix(proto, []byte("HTTP/1.")) {
		return nil, "400 Bad Request", "not an HTTP GET request"
	}
	path, query, _ := bytes.Cut(target, []byte("?"))
	if string(path) != "/socket.io/" {
		return nil, "404 Not Found", "not found"
	}
	var eio, transport, sid bool
	for len(query) > 0 {
		var kv []byte
		kv, query, _ = bytes.Cut(query, []byte("&"))
		switch {
		case string(kv) == "EIO=4":
			eio = true
		case string(kv) == "transport=websocket":
			transport = true
		case bytes.HasPrefix(kv, []byte("sid=")):
			sid = true
		}
	}
	switch {
	case !eio:
		return nil, "400 Bad Request", `{"code":5,"message":"Unsupported protocol version"}`
	case !transport:
		return nil, "400 Bad Request", `{"code":0,"message":"Transport unknown"}`
	case sid:
		return nil, "400 Bad Request", `{"code":1,"message":"Session ID unknown"}`
	}
	var upgrade, connection, version bool
	for len(rest) > 0 {
		var h []byte
		h, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue // the final empty line
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Upgrade")):
			upgrade = bytes.EqualFold(value, []byte("websocket"))
		case bytes.EqualFold(name, []byte("Connection")):
			connection = containsToken(value, "upgrade")
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Version")):
			version = string(value) == "13"
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Key")):
			key = value
		}
	}
	switch {
	case !upgrade || !connection:
		return nil, "400 Bad Request", "not a websocket upgrade"
	case !version:
		return nil, "400 Bad Request", "unsupported Sec-WebSocket-Version (want 13)"
	case len(key) != 24:
		return nil, "400 Bad Request", "bad Sec-WebSocket-Key"
	}
	return key, "", ""
}

// containsToken reports whether the comma-separated header value holds
// token, case-insensitively.
func containsToken(value []byte, token string) bool {
	for len(value) > 0 {
		var t []byte
		t, value, _ = bytes.Cut(value, []byte(","))
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(token)) {
			return true
		}
	}
	return false
}

// httpError answers a refused upgrade request; the connection is closed next.
func (c *conn) httpError(status, msg string) {
	ctype := "text/plain; charset=utf-8"
	if msg != "" && msg[0] == '{' {
		ctype = "application/json"
	}
	_, _ = fmt.Fprintf(c.nc, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, ctype, len(msg), msg)
}

// sidLen is the length of a session or socket id: 15 random bytes in
// base64url, like the reference's base64id.
const sidLen = 20

// appendSID appends a new random id. math/rand/v2's top-level functions use
// the runtime's per-thread ChaCha8 generator (seeded by the OS): no lock,
// no syscall.
func appendSID(b []byte) []byte {
	var raw [16]byte
	for i := 0; i < 16; i += 8 {
		v := rand.Uint64()
		for j := range 8 {
			raw[i+j] = byte(v >> (8 * j))
		}
	}
	return base64.RawURLEncoding.AppendEncode(b, raw[:15])
}
