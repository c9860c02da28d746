//go:build !js

package engine

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestNoCORS(t *testing.T) {
	ts := newTestServer(t, nil, false)
	res := ts.do(t, "GET", "EIO=4&transport=polling", "", map[string]string{"Origin": "https://other.example"})
	if res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("%d %v", res.status, res.header)
	}
	// Any origin may open a websocket, as with the reference.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.base, "http")+"?EIO=4&transport=websocket",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://other.example"}}})
	if err != nil {
		t.Fatalf("cross-origin websocket: %v", err)
	}
	c.CloseNow()
}

func TestCORS(t *testing.T) {
	ts := newTestServer(t, &Options{CORS: &CORS{
		Origins:     []string{"https://app.example"},
		Credentials: true,
		MaxAge:      time.Hour,
	}}, false)
	res := ts.do(t, "GET", "EIO=4&transport=polling", "", map[string]string{"Origin": "https://app.example"})
	if res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		res.header.Get("Access-Control-Allow-Credentials") != "true" || res.header.Get("Vary") != "Origin" {
		t.Fatalf("%d %v", res.status, res.header)
	}
	res = ts.do(t, "GET", "EIO=4&transport=polling", "", map[string]string{"Origin": "https://evil.example"})
	if res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("disallowed origin got %v", res.header)
	}
	// Error responses carry the headers too, so the browser can read them.
	res = ts.do(t, "GET", "transport=polling", "", map[string]string{"Origin": "https://app.example"})
	if res.status != 400 || res.header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("%d %v", res.status, res.header)
	}
	// Preflight.
	res = ts.do(t, "OPTIONS", "EIO=4&transport=polling&sid=x", "", map[string]string{
		"Origin":                         "https://app.example",
		"Access-Control-Request-Method":  "POST",
		"Access-Control-Request-Headers": "content-type",
	})
	if res.status != 204 || res.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		res.header.Get("Access-Control-Allow-Methods") != "GET,HEAD,PUT,PATCH,POST,DELETE" ||
		res.header.Get("Access-Control-Allow-Headers") != "content-type" ||
		res.header.Get("Access-Control-Max-Age") != "3600" {
		t.Fatalf("preflight %d %v", res.status, res.header)
	}
	// Websockets from other origins are refused; allowed ones accepted.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(ts.base, "http") + "?EIO=4&transport=websocket"
	_, hres, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || hres == nil || hres.StatusCode != 400 {
		t.Fatalf("evil websocket: %v", err)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://app.example"}}})
	if err != nil {
		t.Fatalf("allowed websocket: %v", err)
	}
	c.CloseNow()
}

func TestCORSAnyOrigin(t *testing.T) {
	ts := newTestServer(t, &Options{CORS: &CORS{Origins: []string{"*"}, Methods: []string{"GET", "POST"}, AllowedHeaders: []string{"X-A", "X-B"}}}, false)
	res := ts.do(t, "OPTIONS", "", "", map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
	if res.status != 204 || res.header.Get("Access-Control-Allow-Origin") != "*" ||
		res.header.Get("Access-Control-Allow-Methods") != "GET,POST" || res.header.Get("Access-Control-Allow-Headers") != "X-A,X-B" {
		t.Fatalf("preflight %d %v", res.status, res.header)
	}
	ts2 := newTestServer(t, &Options{CORS: &CORS{AllowOrigin: func(o string) bool { return strings.HasSuffix(o, ".good.example") }}}, false)
	if res := ts2.do(t, "GET", "EIO=4&transport=polling", "", map[string]string{"Origin": "https://a.good.example"}); res.header.Get("Access-Control-Allow-Origin") != "https://a.good.example" {
		t.Fatalf("%v", res.header)
	}
}
