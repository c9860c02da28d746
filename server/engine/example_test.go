package engine_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/engine"
)

// echo sends every message back to its session.
type echo struct{ s *engine.Session }

func (e echo) OnMessage(p eio.Packet)           { _ = e.s.Send(p) }
func (e echo) OnClose(reason string, err error) {}

// ExampleNewServer mounts an Engine.IO echo server at /engine.io/ on an
// http.ServeMux and talks to it with raw polling requests.
func ExampleNewServer() {
	srv := engine.NewServer(&engine.Options{
		OnSession: func(s *engine.Session) { s.SetHandler(echo{s}) },
	})
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", srv)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	}()

	// Handshake: the open packet carries the session id.
	res, err := http.Get(ts.URL + "/engine.io/?EIO=4&transport=polling")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	open, _ := eio.DecodeText(body)
	hs, _ := eio.ParseHandshake(open.Data)
	fmt.Println(open.Type, hs.Upgrades)

	// Send two messages in one POST, then poll for the echo.
	url := ts.URL + "/engine.io/?EIO=4&transport=polling&sid=" + hs.SID
	res, err = http.Post(url, "text/plain;charset=UTF-8", strings.NewReader("4hello\x1ebAQID"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	res, err = http.Get(url)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	_ = eio.DecodePayload(body, 0, func(p eio.Packet) error {
		fmt.Printf("%s %q binary=%v\n", p.Type, p.Data, p.Binary)
		return nil
	})
	// Output:
	// open [websocket]
	// message "hello" binary=false
	// message "\x01\x02\x03" binary=true
}

// ExampleCookie sets engine.io's session cookie on the handshake, for a load
// balancer that routes each client to the server holding its session.
func ExampleCookie() {
	srv := engine.NewServer(&engine.Options{
		Cookie:    &engine.Cookie{}, // "io=<sid>; Path=/; HttpOnly; SameSite=Lax"
		OnSession: func(s *engine.Session) { s.SetHandler(echo{s}) },
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	}()

	res, err := http.Get(ts.URL + "/engine.io/?EIO=4&transport=polling")
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	c := res.Cookies()[0]
	fmt.Println(c.Name, c.Path, c.HttpOnly, c.SameSite == http.SameSiteLaxMode)
	// Output:
	// io / true true
}
