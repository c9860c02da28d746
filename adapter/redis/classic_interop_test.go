//go:build !js

package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/server"
)

// classicCluster is 2 duplex nodes (g1, g2) and 1 Node node (n3) in classic
// mode on one redis-server, a Node emitter, a Go emitter, and official
// socket.io-client clients on each node: <node>-red in room red, <node>-blue
// in room blue.
type classicCluster struct {
	redis   *redistest.Server
	g1, g2  *goNode
	n3      *nodeproc.Proc
	nodeEm  *nodeproc.Proc
	goEm    Emitter
	clients *nodeproc.Proc
	names   []string          // every client
	ids     map[string]string // client -> socket id
	urls    map[string]string // node -> url
}

func startClassicCluster(t *testing.T) *classicCluster {
	t.Helper()
	c := &classicCluster{redis: redistest.Start(t), ids: map[string]string{}, urls: map[string]string{}}
	addr := c.redis.Addr()
	c.g1 = startGoNode(t, "g1", addr, classicMode(ClassicOptions{}))
	c.g2 = startGoNode(t, "g2", addr, classicMode(ClassicOptions{}))
	c.n3 = nodeproc.Start(t, "n3", "node.js", "--mode", "classic", "--redis", addr, "--name", "n3")
	c.nodeEm = nodeproc.Start(t, "emitter", "node.js", "--mode", "emitter", "--redis", addr)
	ec := newTestClient(t, addr)
	c.goEm = NewClassicEmitter(ec, nil)
	c.clients = nodeproc.Start(t, "clients", "clients.js")
	c.urls = map[string]string{"g1": c.g1.url, "g2": c.g2.url, "n3": "http://127.0.0.1:" + strconv.Itoa(c.n3.Port())}
	for _, node := range []string{"g1", "g2", "n3"} {
		for _, room := range []string{"red", "blue"} {
			c.connect(t, node+"-"+room, node, room)
		}
	}
	return c
}

// connect connects client name to node, in rooms.
func (c *classicCluster) connect(t *testing.T, name, node string, rooms ...string) string {
	t.Helper()
	var res struct{ ID string }
	c.clients.MustCall("connect", map[string]any{"name": name, "url": c.urls[node], "rooms": rooms}, &res)
	if len(res.ID) != 20 {
		t.Errorf("client %s on %s: socket id %q is %d characters, want 20", name, node, res.ID, len(res.ID))
	}
	c.names = append(c.names, name)
	c.ids[name] = res.ID
	return res.ID
}

func (c *classicCluster) inRooms(rooms ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range c.names {
		for _, r := range rooms {
			if len(n) > len(r) && n[len(n)-len(r):] == r {
				m[n] = true
			}
		}
	}
	return m
}

func TestClassicInterop(t *testing.T) {
	c := startClassicCluster(t)
	ctx := t.Context()
	bin := []byte{0, 1, 2, 0xff}
	const binJSON = `{"$bin":"AAEC/w=="}`
	everyone := c.inRooms("red", "blue")

	t.Run("ServerCount", func(t *testing.T) {
		if n, err := c.g1.srv.Of("/").Adapter().ServerCount(ctx); err != nil || n != 3 {
			t.Fatalf("g1 ServerCount = %d, %v; want 3", n, err)
		}
		var n int
		c.n3.MustCall("serverCount", nil, &n)
		if n != 3 {
			t.Fatalf("n3 serverCount = %d, want 3", n)
		}
	})

	t.Run("Broadcasts", func(t *testing.T) {
		type source struct {
			name string
			emit func(event string, rooms, except []string) error
		}
		goSrc := func(n *goNode) func(string, []string, []string) error {
			return func(event string, rooms, except []string) error {
				return n.srv.To(rooms...).Except(except...).Emit(event, map[string]any{"from": n.name}, bin)
			}
		}
		nodeSrc := func(p *nodeproc.Proc, label string) func(string, []string, []string) error {
			return func(event string, rooms, except []string) error {
				_, err := p.Do("emit", map[string]any{"event": event, "rooms": rooms, "except": except,
					"args": []any{map[string]any{"from": label}, json.RawMessage(binJSON)}})
				return err
			}
		}
		sources := []source{
			{"g1", goSrc(c.g1)},
			{"g2", goSrc(c.g2)},
			{"n3", nodeSrc(c.n3, "n3")},
			{"node-emitter", nodeSrc(c.nodeEm, "node-emitter")},
			{"go-emitter", func(event string, rooms, except []string) error {
				return c.goEm.To(rooms...).Except(except...).Emit(ctx, event, map[string]any{"from": "go-emitter"}, bin)
			}},
		}
		kinds := []struct {
			name          string
			rooms, except []string
			want          map[string]bool
		}{
			{"all", nil, nil, everyone},
			{"red", []string{"red"}, nil, c.inRooms("red")},
			{"except-red", nil, []string{"red"}, c.inRooms("blue")},
			{"red+blue-except-blue", []string{"red", "blue"}, []string{"blue"}, c.inRooms("red")},
		}
		for _, s := range sources {
			for _, k := range kinds {
				event := "ev-" + s.name + "-" + k.name
				if err := s.emit(event, k.rooms, k.except); err != nil {
					t.Fatalf("%s: %v", event, err)
				}
			}
		}
		for _, s := range sources {
			for _, k := range kinds {
				event := "ev-" + s.name + "-" + k.name
				expectDeliveries(t, c.clients, c.names, event, k.want)
				for cl := range k.want {
					for _, e := range received(c.clients, cl, event) {
						args, _ := json.Marshal(e["args"])
						want := fmt.Sprintf(`[{"from":%q},%s]`, s.name, binJSON)
						if string(args) != want {
							t.Errorf("%s to %s: args %s, want %s", event, cl, args, want)
						}
					}
				}
			}
		}
	})

	t.Run("FetchSocketsFromGo", func(t *testing.T) {
		sockets, err := c.g1.srv.FetchSockets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*server.RemoteSocket{}
		for _, s := range sockets {
			got[s.ID] = s
		}
		for _, name := range c.names {
			s := got[c.ids[name]]
			if s == nil {
				t.Errorf("fetchSockets from g1 misses %s (%s)", name, c.ids[name])
				continue
			}
			if s.Handshake == nil || s.Handshake.Query.Get("name") != name {
				t.Errorf("%s: handshake %+v", name, s.Handshake)
			}
			if s.Data["name"] != name {
				t.Errorf("%s: data %v", name, s.Data)
			}
			room := name[len(name)-3:]
			if room != "red" {
				room = "blue"
			}
			if !slices.Contains(s.Rooms, room) || !slices.Contains(s.Rooms, s.ID) {
				t.Errorf("%s: rooms %v", name, s.Rooms)
			}
		}
		if len(sockets) != len(c.names) {
			t.Errorf("fetchSockets from g1: %d sockets, want %d", len(sockets), len(c.names))
		}
		red, err := c.g1.srv.In("red").FetchSockets(ctx)
		if err != nil || len(red) != 3 {
			t.Errorf("fetchSockets red from g1: %d, %v; want 3", len(red), err)
		}
	})

	t.Run("FetchSocketsFromNode", func(t *testing.T) {
		var sockets []struct {
			ID        string
			Rooms     []string
			Data      map[string]any
			Handshake map[string]any
		}
		c.n3.MustCall("fetchSockets", nil, &sockets)
		if len(sockets) != len(c.names) {
			t.Fatalf("fetchSockets from n3: %d sockets, want %d", len(sockets), len(c.names))
		}
		for _, s := range sockets {
			name, _ := s.Data["name"].(string)
			if c.ids[name] != s.ID {
				t.Errorf("socket %s: data %v", s.ID, s.Data)
			}
			hs := s.Handshake
			q, ok := hs["query"].(map[string]any)
			if !ok || q["name"] != name {
				t.Errorf("%s: handshake query %v (%T)", name, hs["query"], hs["query"])
			}
			if _, ok := hs["time"].(string); !ok {
				t.Errorf("%s: handshake time %v (%T), want a string", name, hs["time"], hs["time"])
			}
			if _, ok := hs["issued"].(float64); !ok {
				t.Errorf("%s: handshake issued %v (%T), want a number", name, hs["issued"], hs["issued"])
			}
			if _, ok := hs["headers"].(map[string]any); !ok {
				t.Errorf("%s: handshake headers %v", name, hs["headers"])
			}
		}
	})

	t.Run("BroadcastWithAckFromGo", func(t *testing.T) {
		for _, tc := range []struct {
			rooms []string
			want  map[string]bool
		}{{nil, everyone}, {[]string{"red"}, c.inRooms("red")}} {
			replies, err := c.g1.srv.To(tc.rooms...).Timeout(5*time.Second).EmitWithAck(ctx, "ping", "x")
			if err != nil {
				t.Fatalf("to %v: %v", tc.rooms, err)
			}
			var names []string
			for _, r := range replies {
				var v struct{ Name string }
				if err := r.Decode(0, &v); err != nil {
					t.Fatal(err)
				}
				names = append(names, v.Name)
			}
			checkNames(t, fmt.Sprintf("EmitWithAck to %v from g1", tc.rooms), names, tc.want)
		}
	})

	t.Run("BroadcastWithAckFromNode", func(t *testing.T) {
		var replies []struct{ Name string }
		c.n3.MustCall("emitWithAck", map[string]any{"event": "ping", "args": []any{"x"}, "timeout": 5000}, &replies)
		var names []string
		for _, r := range replies {
			names = append(names, r.Name)
		}
		checkNames(t, "emitWithAck from n3", names, everyone)
	})

	t.Run("SocketsJoin", func(t *testing.T) {
		if err := c.g2.srv.In("blue").SocketsJoin("joined"); err != nil {
			t.Fatal(err)
		}
		// SocketsJoin returns once the join is published, not once n3 has
		// read it, and n3 delivers its own clients at once (Node's
		// broadcast calls super.broadcast without a round trip to Redis):
		// the join (from Redis) and the emit (from this test) reach n3 on
		// two connections, in no set order. Wait until every node has it.
		c.waitRoom(t, "joined", 3)
		c.n3.MustCall("emit", map[string]any{"event": "ev-joined", "rooms": []string{"joined"}}, nil)
		expectDeliveries(t, c.clients, c.names, "ev-joined", c.inRooms("blue"))

		c.n3.MustCall("socketsJoin", map[string]any{"rooms": []string{"red"}, "join": "joined2"}, nil)
		// Node publishes after the call returns: wait until every node has it.
		c.waitRoom(t, "joined2", 3)
		if err := c.g1.srv.To("joined2").Emit("ev-joined2"); err != nil {
			t.Fatal(err)
		}
		expectDeliveries(t, c.clients, c.names, "ev-joined2", c.inRooms("red"))

		if err := c.goEm.In("red").SocketsJoin(ctx, "joined3"); err != nil {
			t.Fatal(err)
		}
		c.nodeEm.MustCall("socketsJoin", map[string]any{"rooms": []string{"blue"}, "join": "joined3"}, nil)
		c.waitRoom(t, "joined3", 6)
		c.n3.MustCall("emit", map[string]any{"event": "ev-joined3", "rooms": []string{"joined3"}}, nil)
		expectDeliveries(t, c.clients, c.names, "ev-joined3", everyone)

		if err := c.g1.srv.In("joined3").SocketsLeave("joined3"); err != nil {
			t.Fatal(err)
		}
		// g2 delivers its own sockets at once: wait until it got the leave.
		c.waitRoom(t, "joined3", 0)
		if err := c.g2.srv.To("joined3").Emit("ev-left3"); err != nil {
			t.Fatal(err)
		}
		c.n3.MustCall("emit", map[string]any{"event": "ev-left3", "rooms": []string{"joined3"}}, nil)
		expectDeliveries(t, c.clients, c.names, "ev-left3", nil)
	})

	t.Run("ServerSideEmit", func(t *testing.T) {
		a := c.g1.srv.Of("/").Adapter().(*ClassicAdapter)
		replies, err := a.ServerSideEmitWithAck(ctx, "hello", map[string]any{"from": "g1"})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range replies {
			var s string
			if err := r.Decode(0, &s); err != nil {
				t.Fatal(err)
			}
			names = append(names, s)
		}
		sort.Strings(names)
		if !slices.Equal(names, []string{"g2", "n3"}) {
			t.Errorf("serverSideEmitWithAck from g1: %v, want [g2 n3]", names)
		}
		if c.g1.sseCount() != 0 || c.g2.sseCount() != 1 {
			t.Errorf("hello received: g1 %d (own), g2 %d; want 0, 1", c.g1.sseCount(), c.g2.sseCount())
		}
		// n3 printed the event before it answered, but its output is read on
		// another goroutine: wait for the line.
		if !c.n3.WaitEvents(5*time.Second, func(evs []map[string]any) bool {
			n := 0
			for _, e := range evs {
				if str(e, "ev") == "sse" {
					n++
				}
			}
			return n == 1
		}) {
			t.Errorf("n3 did not get the serverSideEmit")
		}

		var fromNode []string
		c.n3.MustCall("serverSideEmitWithAck", map[string]any{"event": "hello", "args": []any{"n3"}, "timeout": 5000}, &fromNode)
		sort.Strings(fromNode)
		if !slices.Equal(fromNode, []string{"g1", "g2"}) {
			t.Errorf("serverSideEmitWithAck from n3: %v, want [g1 g2]", fromNode)
		}

		// Without ack, from a Go node, the Node emitter and the Go emitter.
		if err := c.g2.srv.ServerSideEmit(ctx, "hello", "plain"); err != nil {
			t.Fatal(err)
		}
		c.nodeEm.MustCall("serverSideEmit", map[string]any{"event": "hello", "args": []any{"from-emitter"}}, nil)
		if err := c.goEm.ServerSideEmit(ctx, "hello", "from-go-emitter"); err != nil {
			t.Fatal(err)
		}
		if !c.n3.WaitEvents(5*time.Second, func(evs []map[string]any) bool {
			n := 0
			for _, e := range evs {
				if str(e, "ev") == "sse" {
					n++
				}
			}
			return n == 4
		}) {
			t.Errorf("n3 did not get the 3 serverSideEmit without ack")
		}
		deadline := time.Now().Add(5 * time.Second)
		for c.g1.sseCount() < 4 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if c.g1.sseCount() != 4 { // n3's with ack, g2's, both emitters'
			t.Errorf("g1 got %d serverSideEmit, want 4", c.g1.sseCount())
		}
	})

	t.Run("DisconnectSockets", func(t *testing.T) {
		for _, node := range []string{"g1", "g2", "n3"} {
			c.connect(t, node+"-doomed", node, "doomed")
			c.connect(t, node+"-doomed2", node, "doomed2")
		}
		disconnected := func(name string) bool {
			return len(c.clients.EventsWhere(func(e map[string]any) bool {
				return str(e, "ev") == "disconnect" && str(e, "name") == name
			})) > 0
		}
		c.n3.MustCall("disconnectSockets", map[string]any{"rooms": []string{"doomed"}, "close": true}, nil)
		if err := c.g1.srv.In("doomed2").DisconnectSockets(true); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for _, node := range []string{"g1", "g2", "n3"} {
			for _, name := range []string{node + "-doomed", node + "-doomed2"} {
				for !disconnected(name) && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if !disconnected(name) {
					t.Errorf("%s was not disconnected", name)
				}
			}
		}
		for _, name := range []string{"g1-red", "g2-blue", "n3-red"} {
			if disconnected(name) {
				t.Errorf("%s was disconnected", name)
			}
		}
	})

	t.Run("Namespaces", func(t *testing.T) {
		var admins []string
		for _, node := range []string{"g1", "g2", "n3"} {
			name := node + "-admin"
			var res struct{ ID string }
			c.clients.MustCall("connect", map[string]any{"name": name, "url": c.urls[node] + "/admin", "rooms": []string{"red"}}, &res)
			admins = append(admins, name)
		}
		clientsAll := append(slices.Clone(c.names), admins...)
		want := map[string]bool{"g1-admin": true, "g2-admin": true, "n3-admin": true}
		if err := c.g1.srv.Of("/admin").To("red").Emit("ev-admin-g1"); err != nil {
			t.Fatal(err)
		}
		expectDeliveries(t, c.clients, clientsAll, "ev-admin-g1", want)
		c.n3.MustCall("emit", map[string]any{"nsp": "/admin", "event": "ev-admin-n3"}, nil)
		expectDeliveries(t, c.clients, clientsAll, "ev-admin-n3", want)
		c.nodeEm.MustCall("emit", map[string]any{"nsp": "/admin", "event": "ev-admin-node-emitter", "rooms": []string{"red"}}, nil)
		expectDeliveries(t, c.clients, clientsAll, "ev-admin-node-emitter", want)
		if err := c.goEm.Of("admin").Emit(ctx, "ev-admin-go-emitter"); err != nil {
			t.Fatal(err)
		}
		expectDeliveries(t, c.clients, clientsAll, "ev-admin-go-emitter", want)
		ss, err := c.g2.srv.Of("/admin").FetchSockets(ctx)
		if err != nil || len(ss) != 3 {
			t.Errorf("fetchSockets on /admin from g2: %d, %v; want 3", len(ss), err)
		}
		for _, s := range ss {
			if s.Namespace != "/admin" {
				t.Errorf("socket %s of namespace %q", s.ID, s.Namespace)
			}
		}
		var fromNode []string
		c.n3.MustCall("serverSideEmitWithAck", map[string]any{"nsp": "/admin", "event": "hello", "args": []any{"n3"}}, &fromNode)
		sort.Strings(fromNode)
		if !slices.Equal(fromNode, []string{"g1", "g2"}) {
			t.Errorf("serverSideEmitWithAck on /admin from n3: %v, want [g1 g2]", fromNode)
		}
	})

	t.Run("AllRoomsFromNode", func(t *testing.T) {
		var rooms []string
		c.n3.MustCall("allRooms", nil, &rooms)
		for _, r := range []string{"red", "blue", c.ids["g1-red"], c.ids["g2-blue"], c.ids["n3-red"]} {
			if !slices.Contains(rooms, r) {
				t.Errorf("allRooms from n3 misses %q: %v", r, rooms)
			}
		}
	})

	t.Run("AllRooms", func(t *testing.T) {
		rooms, err := c.g1.srv.Of("/").Adapter().(*ClassicAdapter).AllRooms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"red", "blue", "joined", "joined2", c.ids["n3-red"], c.ids["g2-blue"]} {
			if !slices.Contains(rooms, r) {
				t.Errorf("allRooms misses %q: %v", r, rooms)
			}
		}
	})
}

// waitRoom waits until fetchSockets from g1 and g2 counts n sockets in room
// (the requests are handled in order on every node: once a node answers, it
// has handled what was published before).
func (c *classicCluster) waitRoom(t *testing.T, room string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, g := range []*goNode{c.g1, c.g2} {
		for {
			ss, err := g.srv.In(room).FetchSockets(t.Context())
			if err == nil && len(ss) == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: room %s has %d sockets (%v), want %d", g.name, room, len(ss), err, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// checkNames checks that names are exactly the clients of want, once each.
func checkNames(t *testing.T, what string, names []string, want map[string]bool) {
	t.Helper()
	var w []string
	for n := range want {
		w = append(w, n)
	}
	sort.Strings(w)
	sort.Strings(names)
	if !slices.Equal(names, w) {
		t.Errorf("%s: replies from %v, want %v", what, names, w)
	}
}

var _ = context.Background
