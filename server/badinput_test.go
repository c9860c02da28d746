//go:build !js

package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// rawPoll is a hand-driven Engine.IO polling client, to send what no real
// client would.
type rawPoll struct {
	t    *testing.T
	url  string
	http *http.Client
}

func openPoll(t *testing.T, base string) *rawPoll {
	t.Helper()
	p := &rawPoll{t: t, http: &http.Client{Timeout: 5 * time.Second}}
	status, body := p.do(http.MethodGet, base+"/socket.io/?EIO=4&transport=polling", "")
	if status != http.StatusOK || !strings.HasPrefix(body, "0{") {
		t.Fatalf("handshake: %d %q", status, body)
	}
	var hs struct{ SID string }
	if err := json.Unmarshal([]byte(body[1:]), &hs); err != nil {
		t.Fatal(err)
	}
	p.url = base + "/socket.io/?EIO=4&transport=polling&sid=" + hs.SID
	t.Cleanup(p.http.CloseIdleConnections)
	return p
}

func (p *rawPoll) do(method, url, body string) (int, string) {
	p.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	res, err := p.http.Do(req)
	if err != nil {
		p.t.Fatalf("%s: %v", method, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (p *rawPoll) post(body string) {
	p.t.Helper()
	if status, b := p.do(http.MethodPost, p.url, body); status != http.StatusOK {
		p.t.Fatalf("POST %q: %d %q", body, status, b)
	}
}

func (p *rawPoll) get() (int, string) {
	p.t.Helper()
	return p.do(http.MethodGet, p.url, "")
}

// expectClosed polls until the session is gone: a close packet, then an
// unknown session.
func (p *rawPoll) expectClosed() {
	p.t.Helper()
	for range 3 {
		status, body := p.get()
		if status == http.StatusBadRequest {
			return
		}
		if status == http.StatusOK && (body == "1" || strings.HasSuffix(body, "\x1e1")) {
			continue
		}
		p.t.Fatalf("session still open: %d %q", status, body)
	}
	p.t.Fatal("session never closed")
}

func TestBadInputPolling(t *testing.T) {
	cases := []struct {
		name   string
		posts  []string // after the handshake
		reason string   // disconnect reason of the "/" socket, if connected
	}{
		{"empty event", []string{"40", `42[]`}, "forced close"},
		{"reserved event", []string{"40", `42["disconnect"]`}, "forced close"},
		{"connect with array", []string{`40[1]`}, ""},
		{"disconnect with payload", []string{"40", `41{}`}, "forced close"},
		{"garbage", []string{"40", `4zzz`}, "forced close"},
		{"too many attachments", []string{"40", `4511-["a",{"_placeholder":true,"num":0}]`}, "forced close"},
		{"bad placeholder", []string{"40", "451-[\"a\",{\"_placeholder\":true,\"num\":3}]\x1ebAQI="}, "forced close"},
		{"text instead of attachment", []string{"40", "451-[\"a\",{\"_placeholder\":true,\"num\":0}]\x1e42[\"b\"]"}, "forced close"},
		{"stray attachment", []string{"40", "bAQI="}, "forced close"},
		{"event before connect", []string{`42["a"]`}, ""},
		{"connect twice", []string{"40", "40"}, "forced server close"},
		{"connect error from client", []string{"40", `44{"message":"x"}`}, "forced server close"},
		{"event for another namespace", []string{"40", `42/admin,["a"]`}, "forced server close"},
		{"ack before connect", []string{`430[]`}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := newReasons()
			url, _ := startServer(t, nil, func(srv *Server) {
				srv.OnConnection(func(s *Socket) { s.OnDisconnect(rs.add) })
				srv.Of("/admin")
			})
			p := openPoll(t, url)
			for i, body := range tc.posts {
				p.post(body)
				if body == "40" && i < len(tc.posts)-1 {
					if status, got := p.get(); status != 200 || !strings.HasPrefix(got, `40{"sid":"`) {
						t.Fatalf("CONNECT reply: %d %q", status, got)
					}
				}
			}
			p.expectClosed()
			if tc.reason != "" {
				rs.wait(t, tc.reason)
			}
		})
	}
}

func TestBadInputUnknownNamespace(t *testing.T) {
	url, _ := startServer(t, nil, nil)
	p := openPoll(t, url)
	p.post("40/nope,")
	if status, got := p.get(); status != 200 || got != `44/nope,{"message":"Invalid namespace"}` {
		t.Fatalf("got %d %q", status, got)
	}
	// The session stays open: the main namespace still connects.
	p.post("40")
	if status, got := p.get(); status != 200 || !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("CONNECT reply: %d %q", status, got)
	}
	// A packet for the refused namespace closes the session.
	p.post(`42/nope,["x"]`)
	p.expectClosed()
}

func TestEventInConnectPayload(t *testing.T) {
	// Lenient where the reference races: with synchronous middlewares the
	// EVENT that follows its CONNECT in one payload finds the socket.
	got := make(chan string, 1)
	url, _ := startServer(t, nil, func(srv *Server) {
		srv.Use(func(s *Socket, next func(error)) { next(nil) })
		srv.OnConnection(func(s *Socket) {
			s.On("say", func(e *Event) {
				var x string
				_ = e.Decode(&x)
				got <- x
			})
		})
	})
	p := openPoll(t, url)
	p.post("40\x1e42[\"say\",\"a\"]")
	select {
	case x := <-got:
		if x != "a" {
			t.Fatalf("got %q", x)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("event not delivered")
	}
}

func TestBadInputWebSocketStrayBinary(t *testing.T) {
	rs := newReasons()
	url, _ := startServer(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) { s.OnDisconnect(rs.add) })
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	read := func() (websocket.MessageType, string, error) {
		typ, b, err := c.Read(ctx)
		return typ, string(b), err
	}
	if _, open, err := read(); err != nil || !strings.HasPrefix(open, "0{") {
		t.Fatalf("open: %q %v", open, err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("40")); err != nil {
		t.Fatal(err)
	}
	if _, reply, err := read(); err != nil || !strings.HasPrefix(reply, `40{"sid":"`) {
		t.Fatalf("CONNECT reply: %q %v", reply, err)
	}
	if err := c.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, _, err := read(); err != nil {
			rs.wait(t, "forced close") // the reference: conn.close() on a decoding error
			return
		}
	}
	t.Fatal("connection still open after a stray binary frame")
}
