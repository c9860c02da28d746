//go:build !js

package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/server"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// recv is what an admin client received, event by event.
type recv struct {
	name string
	args []json.RawMessage
}

// feed is what an admin client received; wait takes events from it in any
// order (live events of one action may come in either order).
type feed struct {
	ch    chan recv
	early []recv // received, not yet waited for
}

// adminClient connects duplex's Go client to the admin namespace and records
// every event it gets.
func adminClient(t *testing.T, url string, auth any) (*client.Socket, *feed, chan error) {
	t.Helper()
	sock := client.Connect(url+"/admin", &client.Options{Socket: client.SocketOptions{Auth: auth}, NoReconnection: true})
	t.Cleanup(func() { sock.Manager().Close() })
	f := &feed{ch: make(chan recv, 1000)}
	errs := make(chan error, 1)
	sock.OnAny(func(e *client.Event) {
		f.ch <- recv{e.Name, append([]json.RawMessage(nil), e.Args.All()...)}
	})
	sock.OnConnectError(func(err error) { errs <- err })
	return sock, f, errs
}

// wait returns the first event named name whose args pass ok (nil: any).
func wait(t *testing.T, f *feed, name string, ok func(args []json.RawMessage) bool) []json.RawMessage {
	t.Helper()
	match := func(r recv) bool { return r.name == name && (ok == nil || ok(r.args)) }
	for i, r := range f.early {
		if match(r) {
			f.early = append(f.early[:i:i], f.early[i+1:]...)
			return r.args
		}
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r := <-f.ch:
			if match(r) {
				return r.args
			}
			f.early = append(f.early, r)
		case <-timeout:
			t.Fatalf("no %s event", name)
			return nil
		}
	}
}

func startInstrumented(t *testing.T, opts Options) (string, *server.Server) {
	t.Helper()
	srv := server.New(nil)
	srv.OnConnection(func(s *server.Socket) {
		s.On("hello", func(e *server.Event) { s.Join("lobby"); _ = e.Ack("hi") })
	})
	a, err := Instrument(srv, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.Handler(srv))
	t.Cleanup(func() {
		a.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
		ts.Close()
	})
	return ts.URL, srv
}

func hash(t *testing.T, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestInstrumentNeedsAuth(t *testing.T) {
	srv := server.New(nil)
	defer srv.Close(context.Background())
	if _, err := Instrument(srv, Options{}); err != ErrNoAuth {
		t.Fatalf("no auth: %v", err)
	}
	if _, err := Instrument(srv, Options{Auth: &BasicAuth{Username: "a", PasswordHash: "plain"}}); err == nil {
		t.Fatal("a password that is not a bcrypt hash was accepted")
	}
}

// TestAdminProtocol plays the UI's part: login, config, sockets, live
// events, stats, commands, session reuse.
func TestAdminProtocol(t *testing.T) {
	url, srv := startInstrumented(t, Options{Auth: &BasicAuth{Username: "admin", PasswordHash: hash(t, "s3cret")}, ServerID: "node-1"})

	_, _, errs := adminClient(t, url, map[string]string{"username": "admin", "password": "wrong"})
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "invalid credentials") {
			t.Fatalf("wrong password: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a wrong password was not refused")
	}

	_, ch, _ := adminClient(t, url, map[string]string{"username": "admin", "password": "s3cret"})
	var session string
	_ = json.Unmarshal(wait(t, ch, "session", nil)[0], &session)
	var config struct{ SupportedFeatures []string }
	_ = json.Unmarshal(wait(t, ch, "config", nil)[0], &config)
	if !strings.Contains(strings.Join(config.SupportedFeatures, ","), "EMIT,JOIN,LEAVE,DISCONNECT,MJOIN,MLEAVE,MDISCONNECT,AGGREGATED_EVENTS,ALL_EVENTS") {
		t.Errorf("features: %v", config.SupportedFeatures)
	}
	wait(t, ch, "all_sockets", nil)

	// A user connects over polling (then upgrades), says hello, joins lobby.
	user := client.Connect(url, &client.Options{NoReconnection: true})
	defer user.Manager().Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := user.EmitWithAck(ctx, "hello", "world"); err != nil {
		t.Fatal(err)
	}
	var sock serializedSocket
	_ = json.Unmarshal(wait(t, ch, "socket_connected", func(a []json.RawMessage) bool {
		return strings.Contains(string(a[0]), `"nsp":"/"`)
	})[0], &sock)
	if sock.ID != user.ID() || sock.Transport != "polling" || sock.ClientID == "" {
		t.Errorf("socket_connected: %+v (user %s)", sock, user.ID())
	}
	ev := wait(t, ch, "event_received", nil)
	if string(ev[0]) != `"/"` || string(ev[1]) != `"`+user.ID()+`"` || string(ev[2]) != `["hello","world"]` {
		t.Errorf("event_received: %s", ev)
	}
	wait(t, ch, "room_joined", func(a []json.RawMessage) bool { return string(a[1]) == `"lobby"` })
	wait(t, ch, "socket_updated", func(a []json.RawMessage) bool { return strings.Contains(string(a[0]), `"transport":"websocket"`) })

	st := wait(t, ch, "server_stats", func(a []json.RawMessage) bool {
		var s serverStats
		_ = json.Unmarshal(a[0], &s)
		var conns int64
		for _, e := range s.AggregatedEvents {
			if e.Type == "rawConnection" {
				conns += e.Count
			}
		}
		return conns > 0
	})
	var stats serverStats
	_ = json.Unmarshal(st[0], &stats)
	if stats.ServerID != "node-1" || stats.ClientsCount != 2 || len(stats.Namespaces) != 2 {
		t.Errorf("server_stats: %s", st[0])
	}

	// The admin's commands, filtered on the user's socket id.
	admin2, ch2, _ := adminClient(t, url, map[string]string{"sessionId": session}) // the session, no password
	wait(t, ch2, "config", nil)
	if err := admin2.Emit("join", "/", "vip", user.ID()); err != nil {
		t.Fatal(err)
	}
	wait(t, ch, "room_joined", func(a []json.RawMessage) bool { return string(a[1]) == `"vip"` })
	got := make(chan string, 1)
	user.On("news", func(e *client.Event) { got <- string(e.Args.Raw(0)) })
	_ = admin2.Emit("emit", "/", "vip", "news", "for vips")
	select {
	case m := <-got:
		if m != `"for vips"` {
			t.Errorf("news: %s", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the admin's emit did not reach the user")
	}
	_ = admin2.Emit("leave", "/", "vip", nil)
	wait(t, ch, "room_left", func(a []json.RawMessage) bool { return string(a[1]) == `"vip"` })
	_ = admin2.Emit("_disconnect", "/", false, user.ID())
	dis := wait(t, ch, "socket_disconnected", func(a []json.RawMessage) bool { return string(a[0]) == `"/"` })
	if string(dis[2]) != `"server namespace disconnect"` {
		t.Errorf("socket_disconnected: %s", dis)
	}
	if n := len(srv.Of("/").Sockets()); n != 0 {
		t.Errorf("%d sockets left in / after _disconnect", n)
	}
}

// TestProductionMode: statistics only, no socket list, no live events.
func TestProductionMode(t *testing.T) {
	url, _ := startInstrumented(t, Options{NoAuth: true, Mode: Production, ReadOnly: true})
	_, ch, _ := adminClient(t, url, nil)
	var config struct{ SupportedFeatures []string }
	_ = json.Unmarshal(wait(t, ch, "config", nil)[0], &config)
	if strings.Join(config.SupportedFeatures, ",") != "AGGREGATED_EVENTS" {
		t.Errorf("features: %v", config.SupportedFeatures)
	}
	wait(t, ch, "server_stats", nil)
	for _, r := range ch.early {
		if r.name == "all_sockets" || r.name == "socket_connected" {
			t.Errorf("production mode sent %s", r.name)
		}
	}
	for len(ch.ch) > 0 {
		if r := <-ch.ch; r.name == "all_sockets" || r.name == "socket_connected" {
			t.Errorf("production mode sent %s", r.name)
		}
	}
}
