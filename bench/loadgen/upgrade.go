//go:build !js

package loadgen

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// ErrUpgrade reports a server that did not accept the WebSocket upgrade
// (RFC 6455 section 4.1).
var ErrUpgrade = errors.New("loadgen: websocket upgrade refused")

// websocketGUID is appended to the key to compute Sec-WebSocket-Accept.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// upgrade sends the opening handshake for path on host over nc and reads the
// server's 101 response from br, checking its Upgrade, Connection and
// Sec-WebSocket-Accept fields. With deflate it offers permessage-deflate
// without context takeover, which the server must accept. Anything the
// server sent after the response (the first frames) stays in br.
func upgrade(nc net.Conn, br *bufio.Reader, host, path string, deflate bool) error {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + path + " HTTP/1.1\r\n" +
		"Host: " + host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n"
	if deflate {
		req += "Sec-WebSocket-Extensions: " + deflateOffer + "\r\n"
	}
	req += "\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		return fmt.Errorf("loadgen: upgrade request: %w", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("loadgen: upgrade response: %w", err)
	}
	// A 101 has no body (net/http gives it http.NoBody): nothing to drain.
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Errorf("%w: status %q", ErrUpgrade, resp.Status)
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		return fmt.Errorf("%w: Upgrade %q", ErrUpgrade, resp.Header.Get("Upgrade"))
	}
	if !headerHasToken(resp.Header, "Connection", "upgrade") {
		return fmt.Errorf("%w: Connection %q", ErrUpgrade, resp.Header.Values("Connection"))
	}
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), acceptKey(key); got != want {
		return fmt.Errorf("%w: Sec-WebSocket-Accept %q, want %q", ErrUpgrade, got, want)
	}
	if v := resp.Header.Get("Sec-WebSocket-Protocol"); v != "" {
		return fmt.Errorf("%w: Sec-WebSocket-Protocol %q was not offered", ErrUpgrade, v)
	}
	ext := resp.Header.Values("Sec-WebSocket-Extensions")
	switch {
	case !deflate && len(ext) > 0:
		return fmt.Errorf("%w: Sec-WebSocket-Extensions %q was not offered", ErrUpgrade, ext)
	case deflate && !deflateAccepted(ext):
		return fmt.Errorf("%w: permessage-deflate without context takeover not accepted (%q)", ErrUpgrade, ext)
	}
	return nil
}

// deflateOffer is the permessage-deflate offer of a compressing Dialer: no
// context takeover either way, so the server compresses every message on
// its own (and may share a broadcast's compressed frame among recipients).
const deflateOffer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// deflateAccepted reports whether the response's extensions are one
// permessage-deflate with server_no_context_takeover and no window below
// the 32 KB the inflater uses.
func deflateAccepted(values []string) bool {
	if len(values) != 1 || strings.Contains(values[0], ",") {
		return false
	}
	name, params, _ := strings.Cut(values[0], ";")
	if !strings.EqualFold(strings.TrimSpace(name), "permessage-deflate") {
		return false
	}
	serverNoTakeover := false
	for p := range strings.SplitSeq(params, ";") {
		k, _, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "server_no_context_takeover":
			serverNoTakeover = true
		case "", "client_no_context_takeover", "client_max_window_bits", "server_max_window_bits":
		default:
			return false
		}
	}
	return serverNoTakeover
}

// acceptKey is the Sec-WebSocket-Accept value for key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// headerHasToken reports whether the comma-separated field name of h holds
// token (case-insensitive).
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
