//go:build !js

package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/server/engine"
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

func TestDefaults(t *testing.T) {
	o := (*Options)(nil).withDefaults()
	if o.ConnectTimeout != 45*time.Second || o.MaxAttachments != 10 || o.ConnectionStateRecovery != nil || o.Logger == nil || o.CleanupEmptyChildNamespaces {
		t.Fatalf("defaults %+v", o)
	}
	r := (&Options{ConnectionStateRecovery: &RecoveryOptions{}}).withDefaults().ConnectionStateRecovery
	if r.MaxDisconnectionDuration != 2*time.Minute || r.MaxBufferedPackets != DefaultMaxBufferedPackets || r.KeepMiddlewares {
		t.Fatalf("recovery defaults %+v", r)
	}
}

func TestHandshakeOverHTTP(t *testing.T) {
	got := make(chan *Handshake, 1)
	url, _ := startServer(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) { got <- s.Handshake() })
	})
	before := time.Now()
	p := &rawPoll{t: t, http: &http.Client{Timeout: 5 * time.Second}}
	t.Cleanup(p.http.CloseIdleConnections)
	req, _ := http.NewRequest(http.MethodGet, url+"/socket.io/?EIO=4&transport=polling&room=blue", nil)
	req.Header.Set("X-Token", "abc")
	res, err := p.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	sid := strings.SplitN(strings.SplitN(string(b), `"sid":"`, 2)[1], `"`, 2)[0]
	p.url = url + "/socket.io/?EIO=4&transport=polling&sid=" + sid
	p.post(`40{"token":"t"}`)
	hs := <-got
	if hs.Query.Get("room") != "blue" || hs.Headers.Get("X-Token") != "abc" || string(hs.Auth) != `{"token":"t"}` ||
		hs.Address != "127.0.0.1" || hs.Secure || hs.Time.Before(before.Add(-time.Second)) || hs.Issued != hs.Time.UnixMilli() ||
		!strings.HasPrefix(hs.URL, "/socket.io/?EIO=4&transport=polling&room=blue") || !strings.HasPrefix(url, "http://"+hs.Host) {
		t.Fatalf("handshake %+v", hs)
	}
}

// TestEngineOptions: Options.Engine reaches the Engine.IO server as it is.
// MaxQueuedBytes was not among the fields copied by hand before: set through
// New, it bounds a polling session that nobody polls.
func TestEngineOptions(t *testing.T) {
	for _, c := range []struct {
		name  string
		bytes int64
		want  error
	}{{"default 2 MiB", 0, nil}, {"1000 bytes", 1000, engine.ErrQueueFull}} {
		t.Run(c.name, func(t *testing.T) {
			srv := New(&Options{Engine: engine.Options{MaxQueuedBytes: c.bytes}})
			sockets := make(chan *Socket, 1)
			srv.OnConnection(func(s *Socket) { sockets <- s })
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Close(context.Background())
			p := openPoll(t, ts.URL)
			p.post("40") // the CONNECT reply is queued: no GET is pending
			var s *Socket
			select {
			case s = <-sockets:
			case <-time.After(5 * time.Second):
				t.Fatal("no connection")
			}
			big := strings.Repeat("x", 600)
			if err := s.Emit("big", big); err != nil {
				t.Fatalf("first emit: %v", err)
			}
			if err := s.Emit("big", big); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("second emit: %v, want %v", err, c.want)
			}
		})
	}
}
