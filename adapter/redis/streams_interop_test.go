//go:build !js

package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
)

// mixedCluster is 2 duplex nodes and 1 Node socket.io node on one Redis,
// with two official clients on each node (one in "red" on websocket, one in
// "blue" on polling upgraded to websocket).
type mixedCluster struct {
	rs      *redistest.Server
	g1, g2  *goNode
	n3      *nodeproc.Proc
	cl      *nodeproc.Proc
	ev      *clientEvents
	clients []string
	em      redis.Emitter // the mode's Go emitter
}

func startMixed(t *testing.T, mode string, adapter adapterMaker) *mixedCluster {
	m := &mixedCluster{rs: redistest.Start(t)}
	m.g1 = newGoNode(t, m.rs.Addr(), "g1", adapter)
	m.g2 = newGoNode(t, m.rs.Addr(), "g2", adapter)
	args := []string{"--mode", mode, "--redis", m.rs.Addr(), "--name", "n3"}
	if adapter.recovery {
		args = append(args, "--recovery", "120000")
	}
	m.n3 = nodeproc.Start(t, "n3", "node.js", args...)
	emc, err := redis.NewClient(redis.ClientOptions{Addrs: []string{m.rs.Addr()}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emc.Close)
	if mode == "streams" {
		m.em = redis.NewStreamsEmitter(emc, nil)
	} else {
		m.em = redis.NewShardedEmitter(emc, nil)
	}
	m.cl = nodeproc.Start(t, "clients", "clients.js")
	m.ev = collect(t, m.cl)
	urls := map[string]string{"g1": m.g1.hs.URL, "g2": m.g2.hs.URL, "n3": fmt.Sprintf("http://127.0.0.1:%d", m.n3.Port())}
	for _, node := range []string{"g1", "g2", "n3"} {
		for _, room := range []string{"red", "blue"} {
			name := node + "-" + room
			// The blue clients start with polling and upgrade (the default).
			transports := []string{"websocket"}
			if room == "blue" {
				transports = []string{"polling", "websocket"}
			}
			m.cl.Call("connect", map[string]any{"name": name, "url": urls[node], "rooms": []string{room}, "transports": transports})
			m.clients = append(m.clients, name)
		}
	}
	// Every node counts the three.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c1, _ := m.g1.adapter().ServerCount(context.Background())
		c3 := m.n3.Call("serverCount", nil)
		if c1 == 3 && c3 == float64(3) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server counts %d, %v", c1, c3)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m
}

func (m *mixedCluster) want(pred func(name string) bool, event string) map[string][]string {
	w := map[string][]string{}
	for _, c := range m.clients {
		if pred(c) {
			w[c] = []string{event}
		}
	}
	return w
}

// emit broadcasts from node (g1, g2 or n3) to rooms except except.
func (m *mixedCluster) emit(t *testing.T, node string, rooms, except []string, event string, args ...any) {
	t.Helper()
	if node == "em" {
		if err := m.em.To(rooms...).Except(except...).Emit(context.Background(), event, args...); err != nil {
			t.Fatal(err)
		}
		return
	}
	if node == "n3" {
		js := make([]any, len(args))
		for i, a := range args {
			if b, ok := a.([]byte); ok {
				a = map[string]any{"$bin": b}
			}
			js[i] = a
		}
		m.n3.Call("emit", map[string]any{"event": event, "args": js, "rooms": rooms, "except": except})
		return
	}
	g := m.g1
	if node == "g2" {
		g = m.g2
	}
	if err := g.srv.To(rooms...).Except(except...).Emit(event, args...); err != nil {
		t.Fatal(err)
	}
}

func testMixedBroadcasts(t *testing.T, m *mixedCluster) {
	red := func(n string) bool { return strings.HasSuffix(n, "-red") }
	blue := func(n string) bool { return strings.HasSuffix(n, "-blue") }
	for _, from := range []string{"g1", "g2", "n3", "em"} {
		m.emit(t, from, nil, nil, "all", from)
		m.ev.expect(t, "to all from "+from, m.clients, m.want(func(string) bool { return true }, fmt.Sprintf(`["all","%s"]`, from)))
		m.emit(t, from, []string{"red"}, nil, "room", from, []byte{0, 1, 2, 0xff})
		m.ev.expect(t, "to red from "+from, m.clients, m.want(red, fmt.Sprintf(`["room","%s",{"$bin":"AAEC/w=="}]`, from)))
		m.emit(t, from, nil, []string{"red"}, "except", from)
		m.ev.expect(t, "except red from "+from, m.clients, m.want(blue, fmt.Sprintf(`["except","%s"]`, from)))
	}
}

func testMixedAcks(t *testing.T, m *mixedCluster) {
	replies, err := m.g1.srv.Timeout(3*time.Second).EmitWithAck(context.Background(), "ping")
	if err != nil {
		t.Fatalf("emitWithAck from g1: %v", err)
	}
	var names []string
	for _, r := range replies {
		var v struct{ Name string }
		_ = r.Decode(0, &v)
		names = append(names, v.Name)
	}
	if sort.Strings(names); !slices.Equal(names, sortedStrings(slices.Clone(m.clients))) {
		t.Fatalf("acks from g1: %q", names)
	}
	res := m.n3.Call("emitWithAck", map[string]any{"event": "ping", "rooms": []string{"blue"}, "timeout": 3000}).([]any)
	names = nil
	for _, r := range res {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	if sort.Strings(names); !slices.Equal(names, []string{"g1-blue", "g2-blue", "n3-blue"}) {
		t.Fatalf("acks from n3: %q", names)
	}
	time.Sleep(100 * time.Millisecond)
	m.ev.reset()
}

func testMixedFetch(t *testing.T, m *mixedCluster) {
	ctx := context.Background()
	socks, err := m.g2.srv.FetchSockets(ctx)
	if err != nil || len(socks) != 6 {
		t.Fatalf("fetchSockets from g2: %d, %v", len(socks), err)
	}
	for _, s := range socks {
		name := s.Handshake.Query.Get("name")
		if s.Data["name"] != name || !strings.HasPrefix(name, fmt.Sprint(s.Data["node"])+"-") || !slices.Contains(s.Rooms, s.ID) || len(s.ID) != 20 {
			t.Fatalf("socket from g2's fetch: %+v", s)
		}
	}
	res := m.n3.Call("fetchSockets", map[string]any{"rooms": []string{"red"}}).([]any)
	var names []string
	for _, r := range res {
		s := r.(map[string]any)
		hs := s["handshake"].(map[string]any)
		q := hs["query"].(map[string]any)
		data := s["data"].(map[string]any)
		if q["name"] != data["name"] || hs["time"] == nil || hs["issued"] == nil {
			t.Fatalf("socket from n3's fetch: %v", s)
		}
		names = append(names, data["name"].(string))
	}
	if sort.Strings(names); !slices.Equal(names, []string{"g1-red", "g2-red", "n3-red"}) {
		t.Fatalf("n3 fetched %q", names)
	}

	// socketsJoin from n3, seen by g1's fetch; disconnectSockets from g1.
	m.n3.Call("socketsJoin", map[string]any{"rooms": []string{"blue"}, "join": "joined"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		js, _ := m.g1.srv.In("joined").FetchSockets(ctx)
		if len(js) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets joined", len(js))
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.emit(t, "g2", []string{"joined"}, nil, "joined")
	m.ev.expect(t, "to joined", m.clients, m.want(func(n string) bool { return strings.HasSuffix(n, "-blue") }, `["joined"]`))
	// The emitter's socketsLeave, then socketsJoin again, reach every node.
	if err := m.em.In("joined").SocketsLeave(ctx, "joined"); err != nil {
		t.Fatal(err)
	}
	waitFetch(t, m, "joined", 0)
	if err := m.em.In("blue").SocketsJoin(ctx, "joined"); err != nil {
		t.Fatal(err)
	}
	waitFetch(t, m, "joined", 3)
	if err := m.g1.srv.In("joined").SocketsLeave("joined"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		if n := len(m.n3.Call("fetchSockets", map[string]any{"rooms": []string{"joined"}}).([]any)); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("socketsLeave not applied everywhere")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFetch waits until n3's fetchSockets sees n sockets in room.
func waitFetch(t *testing.T, m *mixedCluster, room string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(m.n3.Call("fetchSockets", map[string]any{"rooms": []string{room}}).([]any)) != n {
		if time.Now().After(deadline) {
			t.Fatalf("n3 never saw %d sockets in %s", n, room)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testMixedServerSideEmit(t *testing.T, m *mixedCluster) {
	replies, err := m.g1.adapter().ServerSideEmitWithAck(context.Background(), "hello", "from g1")
	if err != nil {
		t.Fatalf("serverSideEmitWithAck from g1: %v", err)
	}
	var got []string
	for _, r := range replies {
		got = append(got, string(r.Raw(0)))
	}
	if sort.Strings(got); !slices.Equal(got, []string{`"g2"`, `"n3"`}) {
		t.Fatalf("serverSideEmit replies to g1: %q", got)
	}
	if _, ok := m.n3.Event(func(e map[string]any) bool { return e["ev"] == "sse" }, 3*time.Second); !ok {
		t.Fatal("n3 did not get the serverSideEmit")
	}
	res := m.n3.Call("serverSideEmitWithAck", map[string]any{"event": "hello", "args": []any{"from n3"}, "timeout": 3000})
	b, _ := json.Marshal(res)
	var rs []string
	_ = json.Unmarshal(b, &rs)
	if sort.Strings(rs); !slices.Equal(rs, []string{"g1", "g2"}) {
		t.Fatalf("serverSideEmit replies to n3: %s", b)
	}
	for _, g := range []*goNode{m.g1, m.g2} {
		select {
		case s := <-g.sse:
			if s != `"from n3"` && s != `"from g1"` {
				t.Fatalf("%s got serverSideEmit %s", g.name, s)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("%s did not get the serverSideEmit", g.name)
		}
	}
	// The emitter's serverSideEmit reaches every node.
	if err := m.em.ServerSideEmit(context.Background(), "hello", "from em"); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.n3.Event(func(e map[string]any) bool { return e["ev"] == "sse" }, 3*time.Second); !ok {
		t.Fatal("n3 did not get the emitter's serverSideEmit")
	}
	for _, g := range []*goNode{m.g1, m.g2} {
		deadline := time.After(3 * time.Second)
	wait:
		for {
			select {
			case s := <-g.sse:
				if s == `"from em"` {
					break wait
				}
			case <-deadline:
				t.Fatalf("%s did not get the emitter's serverSideEmit", g.name)
			}
		}
	}
	// Disconnect the blue sockets from g1.
	if err := m.g1.srv.In("blue").DisconnectSockets(true); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, ok := m.ev.lifecycle(func(e map[string]any) bool {
			return e["ev"] == "disconnect" && strings.HasSuffix(e["name"].(string), "-blue")
		}, 5*time.Second); !ok {
			t.Fatal("the blue clients were not all disconnected")
		}
	}
}

// TestStreamsInterop runs a mixed streams cluster: broadcasts to all, to a
// room and except a room from each node reach exactly the right official
// clients once; acks and fetchSockets count the other kind's sockets both
// ways; socketsJoin/Leave, disconnectSockets and serverSideEmit with acks
// cross between Go and Node nodes.
func TestStreamsInterop(t *testing.T) {
	m := startMixed(t, "streams", streamsAdapter)
	t.Run("broadcast", func(t *testing.T) { testMixedBroadcasts(t, m) })
	t.Run("acks", func(t *testing.T) { testMixedAcks(t, m) })
	t.Run("fetch", func(t *testing.T) { testMixedFetch(t, m) })
	t.Run("serverSideEmit", func(t *testing.T) { testMixedServerSideEmit(t, m) })
}
