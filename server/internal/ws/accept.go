package ws

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// wsGUID is the GUID of the Sec-WebSocket-Accept computation (RFC 6455
// section 1.3).
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsDeflateResponse is the extension the server answers a permessage-deflate
// offer with: no context takeover in either direction (a connection keeps no
// compression state between messages).
const wsDeflateResponse = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// ErrHandshake is wrapped by the errors of a refused WebSocket handshake.
var ErrHandshake = errors.New("websocket handshake")

// AcceptOptions configures Accept.
type AcceptOptions struct {
	MaxMessage int64 // the largest message accepted (1009 over it)
	Deflate    bool  // permessage-deflate may be negotiated
	// Hold: the 101 response is not written at once but before the first
	// frame the server writes (one write syscall less when the server
	// speaks first); a client that waits for the 101 before it sends must
	// not be held.
	Hold bool
}

// Accept checks r as a WebSocket opening handshake (RFC 6455 section
// 4.2.1, as the ws library checks it), takes the connection over from
// net/http and answers 101, with the headers set on w (by middleware,
// CORS). A bad handshake is answered with 400 (and the error, wrapping
// ErrHandshake, returned).
func Accept(w http.ResponseWriter, r *http.Request, o AcceptOptions) (*Conn, error) {
	c := &Conn{}
	if err := AcceptInto(c, w, r, o); err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptInto is Accept into c, a zero Conn the caller allocated (as part
// of a larger struct: one allocation less per connection).
func AcceptInto(c *Conn, w http.ResponseWriter, r *http.Request, o AcceptOptions) error {
	key, deflate, err := checkHandshake(w, r, o.Deflate)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return err
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "websocket: the connection cannot be taken over", http.StatusInternalServerError)
		return fmt.Errorf("%w: hijack: %w", ErrHandshake, err)
	}
	c.init(conn, o.MaxMessage, deflate)
	// net/http wrote nothing of a response yet (brw.Writer is empty) and may
	// have read the client's first frames with the request.
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		c.Preload(early)
	}
	resp := appendSwitchResponse(make([]byte, 0, 160+headerSize(w.Header())), key, deflate, w.Header())
	if o.Hold {
		c.out.prefix = resp
		return nil
	}
	if _, err := conn.Write(resp); err != nil {
		c.CloseNow()
		c.Finish()
		return fmt.Errorf("%w: writing the response: %w", ErrHandshake, err)
	}
	return nil
}

// checkHandshake returns the request's Sec-WebSocket-Key and whether
// permessage-deflate is to be used (allowed: the server may), or why the
// request is refused. The version header gets its answer header here.
func checkHandshake(w http.ResponseWriter, r *http.Request, allowDeflate bool) (string, bool, error) {
	if r.Method != http.MethodGet {
		return "", false, fmt.Errorf("%w: the method must be GET", ErrHandshake)
	}
	if !IsUpgradeRequest(r) {
		return "", false, fmt.Errorf("%w: missing Connection: upgrade or Upgrade: websocket", ErrHandshake)
	}
	if v := r.Header["Sec-Websocket-Version"]; len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		return "", false, fmt.Errorf("%w: missing or invalid Sec-WebSocket-Version header", ErrHandshake)
	}
	key := r.Header["Sec-Websocket-Key"]
	if len(key) != 1 || !validWebsocketKey(strings.TrimSpace(key[0])) {
		return "", false, fmt.Errorf("%w: missing or invalid Sec-WebSocket-Key header", ErrHandshake)
	}
	deflate := allowDeflate && acceptsDeflate(r.Header["Sec-Websocket-Extensions"])
	return strings.TrimSpace(key[0]), deflate, nil
}

// IsUpgradeRequest reports whether r asks for a WebSocket upgrade.
func IsUpgradeRequest(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// validWebsocketKey reports whether k is the base64 of 16 bytes (the ws
// library's /^[+/0-9A-Za-z]{22}==$/).
func validWebsocketKey(k string) bool {
	if len(k) != 24 || k[22] != '=' || k[23] != '=' {
		return false
	}
	for i := range 22 {
		c := k[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// appendSwitchResponse appends the 101 response to b: the accept key, the
// negotiated extension and the headers set on the ResponseWriter (by
// middleware, CORS).
func appendSwitchResponse(b []byte, key string, deflate bool, h http.Header) []byte {
	b = append(b, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	sum := sha1.Sum([]byte(key + wsGUID))
	b = base64.StdEncoding.AppendEncode(b, sum[:])
	b = append(b, "\r\n"...)
	if deflate {
		b = append(b, "Sec-WebSocket-Extensions: "+wsDeflateResponse+"\r\n"...)
	}
	if len(h) > 0 {
		var buf bytes.Buffer
		_ = h.Write(&buf) // a bytes.Buffer does not fail
		b = append(b, buf.Bytes()...)
	}
	return append(b, "\r\n"...)
}

// headerSize estimates the size of h written as header lines.
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// acceptsDeflate reports whether one of the permessage-deflate offers in
// the Sec-WebSocket-Extensions header values can be accepted with
// wsDeflateResponse: an offer whose parameters are all known, that lets the
// server use a 32 KB window (the only one compress/flate writes).
func acceptsDeflate(values []string) bool {
	for _, v := range values {
		for offer := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(offer, ";")
			if !strings.EqualFold(strings.TrimSpace(name), "permessage-deflate") {
				continue
			}
			if deflateParamsOK(params) {
				return true
			}
		}
	}
	return false
}

func deflateParamsOK(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"`)
		switch k {
		case "", "server_no_context_takeover", "client_no_context_takeover", "client_max_window_bits":
		case "server_max_window_bits":
			if v != "15" {
				return false
			}
		default:
			return false
		}
	}
	return true
}
