//go:build !js

package redis

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/nginxtest"
	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/server"
)

// TestNginxCluster: 2 duplex nodes behind nginx (sticky on the client's
// address), official clients from 8 local addresses, polling-only and
// default (polling then websocket): they spread over both nodes, stay
// connected through many polling cycles, and get the broadcasts of both
// nodes exactly once.
func TestNginxCluster(t *testing.T) {
	rs := redistest.Start(t)
	fast := func(o *server.Options) {
		o.Engine.PingInterval, o.Engine.PingTimeout = 200*time.Millisecond, 2*time.Second
	}
	g1 := startGoNode(t, "g1", rs.Addr(), classicMode(ClassicOptions{}), fast)
	g2 := startGoNode(t, "g2", rs.Addr(), classicMode(ClassicOptions{}), fast)
	hostOf := func(u string) string { p, _ := url.Parse(u); return p.Host }
	ngx := nginxtest.Start(t, []string{hostOf(g1.url), hostOf(g2.url)})
	clients := nodeproc.Start(t, "clients", "clients.js")
	var names []string
	all := map[string]bool{}
	for i := 2; i <= 9; i++ {
		local := fmt.Sprintf("127.0.0.%d", i)
		for _, kind := range []string{"polling", "default"} {
			name := fmt.Sprintf("%s-%d", kind, i)
			cmd := map[string]any{"name": name, "url": "http://" + ngx.Addr, "localAddress": local}
			if kind == "polling" {
				cmd["transports"] = []string{"polling"}
			}
			clients.MustCall("connect", cmd, nil)
			names = append(names, name)
			all[name] = true
		}
	}
	ctx := t.Context()
	for _, g := range []*goNode{g1, g2} {
		local, err := g.srv.Local().FetchSockets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(local) == 0 {
			t.Fatalf("nginx sent no client to %s", g.name)
		}
		t.Logf("%s has %d clients", g.name, len(local))
	}
	for _, g := range []*goNode{g1, g2} {
		ev := "from-" + g.name
		if err := g.srv.Emit(ev, "x"); err != nil {
			t.Fatal(err)
		}
		expectDeliveries(t, clients, names, ev, all)
	}
	// Many ping cycles (200 ms) through nginx: nobody disconnects.
	time.Sleep(2 * time.Second)
	for _, name := range names {
		var st struct {
			Connected bool
			Transport string
		}
		clients.MustCall("state", map[string]any{"name": name}, &st)
		want := "websocket"
		if strings.HasPrefix(name, "polling") {
			want = "polling"
		}
		if !st.Connected || st.Transport != want {
			t.Errorf("%s: connected %v on %q, want connected on %s", name, st.Connected, st.Transport, want)
		}
	}
	if evs := clients.EventsWhere(func(e map[string]any) bool {
		return str(e, "ev") == "disconnect" || str(e, "ev") == "connect_error"
	}); len(evs) > 0 {
		t.Errorf("clients disconnected behind nginx: %v", evs)
	}
	for _, g := range []*goNode{g2, g1} {
		ev := "again-from-" + g.name
		if err := g.srv.Emit(ev, "y"); err != nil {
			t.Fatal(err)
		}
		expectDeliveries(t, clients, names, ev, all)
	}
}
