//go:build !js

package ws

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// echoServer accepts websockets and echoes every message (the lead byte '>'
// put before text), until the client closes or breaks the protocol; errs
// gets each reader's final error.
func echoServer(t *testing.T, o AcceptOptions) (url string, errs chan error) {
	t.Helper()
	errs = make(chan error, 16)
	var wg sync.WaitGroup
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, o)
		if err != nil {
			errs <- err
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				op, p, err := c.ReadMessage()
				if err != nil {
					var we *Error
					if errors.As(err, &we) {
						c.SendClose(we.Code)
					}
					errs <- err
					c.DrainAndClose()
					return
				}
				lead := -1
				if op == OpText {
					lead = '>'
				}
				if c.Deflate() && len(p) >= 64 {
					err = c.Out().WriteCompressed(nil, op, lead, p)
				} else {
					err = c.Out().WriteFrame(0x80|op, lead, p)
				}
				if err != nil {
					errs <- err
					c.CloseNow()
					c.Finish()
					return
				}
			}
		}()
	}))
	t.Cleanup(func() {
		hs.Close()
		wg.Wait()
	})
	return "ws" + strings.TrimPrefix(hs.URL, "http"), errs
}

// TestAcceptEcho: a client (coder/websocket) talks to a Conn from Accept:
// text with a lead byte, binary, compressed when negotiated, a ping
// answered, and a normal close seen as ErrPeerClosed.
func TestAcceptEcho(t *testing.T) {
	for _, deflate := range []bool{false, true} {
		url, errs := echoServer(t, AcceptOptions{MaxMessage: 1 << 16, Deflate: deflate})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		opts := &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled}
		if deflate {
			opts.CompressionMode = websocket.CompressionNoContextTakeover
		}
		c, res, err := websocket.Dial(ctx, url, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get("Sec-WebSocket-Extensions") != ""; got != deflate {
			t.Fatalf("deflate %v: extension answered %q", deflate, res.Header.Get("Sec-WebSocket-Extensions"))
		}
		long := strings.Repeat("compressible ", 100)
		for _, m := range []struct {
			typ  websocket.MessageType
			data string
			want string
		}{
			{websocket.MessageText, "hello", ">hello"},
			{websocket.MessageBinary, "\x00\x01\xff", "\x00\x01\xff"},
			{websocket.MessageText, long, ">" + long},
		} {
			if err := c.Write(ctx, m.typ, []byte(m.data)); err != nil {
				t.Fatal(err)
			}
			typ, p, err := c.Read(ctx)
			if err != nil || typ != m.typ || string(p) != m.want {
				t.Fatalf("deflate %v: echo %v %q %v", deflate, typ, p, err)
			}
		}
		go func() { _, _, _ = c.Read(ctx) }() // reads the pong and the close
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
		if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
			t.Fatalf("close: %v", err)
		}
		if err := <-errs; !errors.Is(err, ErrPeerClosed) {
			t.Fatalf("reader ended with %v", err)
		}
	}
}

// TestAcceptRefuses: handshakes RFC 6455 refuses get 400 and an error
// wrapping ErrHandshake.
func TestAcceptRefuses(t *testing.T) {
	url, errs := echoServer(t, AcceptOptions{MaxMessage: 1 << 16})
	url = "http" + strings.TrimPrefix(url, "ws")
	good := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
	for _, c := range []struct {
		name, method, key, value string
	}{
		{"POST", "POST", "", ""},
		{"no upgrade", "GET", "Upgrade", ""},
		{"no connection", "GET", "Connection", "keep-alive"},
		{"version 8", "GET", "Sec-WebSocket-Version", "8"},
		{"no key", "GET", "Sec-WebSocket-Key", ""},
		{"short key", "GET", "Sec-WebSocket-Key", "dGhlIHNhbXBsZQ=="},
	} {
		req, _ := http.NewRequest(c.method, url, nil)
		for k, v := range good {
			req.Header.Set(k, v)
		}
		if c.key != "" {
			req.Header.Set(c.key, c.value)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Errorf("%s: %d", c.name, res.StatusCode)
		}
		if err := <-errs; !errors.Is(err, ErrHandshake) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestAcceptsDeflate: the permessage-deflate offers that can be answered
// with no context takeover and a 32 KB window.
func TestAcceptsDeflate(t *testing.T) {
	for offer, want := range map[string]bool{
		"permessage-deflate":                                                true,
		"permessage-deflate; client_max_window_bits":                        true,
		"permessage-deflate; server_max_window_bits=15":                     true,
		"permessage-deflate; server_max_window_bits=10":                     false,
		"permessage-deflate; server_max_window_bits=10, permessage-deflate": true,
		"permessage-deflate; unknown":                                       false,
		"x-webkit-deflate-frame":                                            false,
	} {
		if got := acceptsDeflate([]string{offer}); got != want {
			t.Errorf("%q: %v", offer, got)
		}
	}
}
