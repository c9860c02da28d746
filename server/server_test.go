//go:build !js

package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCloseDisconnectsEveryone(t *testing.T) {
	srv := New(nil)
	rs := newReasons()
	srv.OnConnection(func(s *Socket) { s.OnDisconnect(rs.add) })
	ts := httptest.NewServer(srv)
	defer ts.Close()
	p := openPoll(t, ts.URL)
	p.post("40")
	if status, got := p.get(); status != 200 || !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("CONNECT reply: %d %q", status, got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	rs.wait(t, "server shutting down")
	if len(srv.Sockets()) != 0 {
		t.Fatal("sockets left")
	}
}

func TestServeClientRouting(t *testing.T) {
	srv := newServer(t, &Options{ServeClient: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "client:"+r.URL.Path)
	})})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	res, err := http.Get(ts.URL + "/socket.io/socket.io.js")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "client:/socket.io/socket.io.js" {
		t.Fatalf("got %q", b)
	}
	res, err = http.Get(ts.URL + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(string(b), "0{") {
		t.Fatalf("handshake %q", b)
	}
	http.DefaultClient.CloseIdleConnections()
}
