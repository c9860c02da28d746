package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestHTTPErrors(t *testing.T) {
	ts := newTestServer(t, &Options{
		AllowRequest: func(r *http.Request) error {
			if r.URL.Query().Get("deny") != "" {
				return errors.New("denied by allowRequest")
			}
			return nil
		},
	}, false)
	sid, _ := ts.handshake(t)
	cases := []struct {
		name, method, query string
		status              int
		body                string
	}{
		{"no EIO", "GET", "transport=polling", 400, `{"code":5,"message":"Unsupported protocol version"}`},
		{"EIO 3", "GET", "EIO=3&transport=polling", 400, `{"code":5,"message":"Unsupported protocol version"}`},
		{"EIO abc", "GET", "EIO=abc&transport=polling", 400, `{"code":5,"message":"Unsupported protocol version"}`},
		{"no transport", "GET", "EIO=4", 400, `{"code":0,"message":"Transport unknown"}`},
		{"unknown transport", "GET", "EIO=4&transport=carrier-pigeon", 400, `{"code":0,"message":"Transport unknown"}`},
		{"webtransport", "GET", "EIO=4&transport=webtransport", 400, `{"code":0,"message":"Transport unknown"}`},
		{"unknown sid", "GET", "EIO=4&transport=polling&sid=nope", 400, `{"code":1,"message":"Session ID unknown"}`},
		{"unknown sid POST", "POST", "EIO=4&transport=polling&sid=nope", 400, `{"code":1,"message":"Session ID unknown"}`},
		{"POST handshake", "POST", "EIO=4&transport=polling", 400, `{"code":2,"message":"Bad handshake method"}`},
		{"PUT handshake", "PUT", "EIO=4&transport=polling", 400, `{"code":2,"message":"Bad handshake method"}`},
		{"websocket without upgrade", "GET", "EIO=4&transport=websocket", 400, `{"code":3,"message":"Bad request"}`},
		{"websocket sid without upgrade", "GET", "EIO=4&transport=websocket&sid=" + sid, 400, `{"code":3,"message":"Bad request"}`},
		{"PUT with sid", "PUT", "EIO=4&transport=polling&sid=" + sid, 400, `{"code":3,"message":"Bad request"}`},
		{"allowRequest", "GET", "EIO=4&transport=polling&deny=1", 403, `{"code":4,"message":"denied by allowRequest"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := ts.do(t, c.method, c.query, "", nil)
			if res.status != c.status || res.body != c.body {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, c.status, c.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	// The session is still there after all that.
	if ts.srv.SessionCount() != 1 {
		t.Fatalf("SessionCount = %d", ts.srv.SessionCount())
	}
}

func TestTransportNotEnabled(t *testing.T) {
	ts := newTestServer(t, &Options{Transports: []string{TransportPolling}}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.base, "http")+"?EIO=4&transport=websocket", nil)
	if err == nil || res == nil || res.StatusCode != 400 {
		t.Fatalf("dial: %v %v", err, res)
	}
	_, hs := ts.handshake(t)
	if len(hs.Upgrades) != 0 {
		t.Fatalf("upgrades %v without websocket", hs.Upgrades)
	}
}

func TestPollingNotEnabled(t *testing.T) {
	ts := newTestServer(t, &Options{Transports: []string{TransportWebsocket}}, false)
	if res := ts.do(t, "GET", "EIO=4&transport=polling", "", nil); res.status != 400 || res.body != `{"code":0,"message":"Transport unknown"}` {
		t.Fatalf("%d %q", res.status, res.body)
	}
	c := ts.dial(t, "EIO=4&transport=websocket")
	if _, f := readFrame(t, c); !strings.HasPrefix(f, "0{") {
		t.Fatalf("open %q", f)
	}
}

func TestWebsocketUnknownSID(t *testing.T) {
	ts := newTestServer(t, nil, false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.base, "http")+"?EIO=4&transport=websocket&sid=nope", nil)
	if err == nil || res == nil || res.StatusCode != 400 {
		t.Fatalf("dial: %v %v", err, res)
	}
}
