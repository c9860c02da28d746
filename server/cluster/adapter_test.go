package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// threeNodes starts three nodes on one bus, each with two clients: one in
// room "red", one in "blue".
func threeNodes(t *testing.T, cfg *cluster.Config) ([]*node, map[string]*peer) {
	bus := cluster.NewBus()
	var nodes []*node
	peers := map[string]*peer{}
	for i := range 3 {
		n := newNode(t, bus, fmt.Sprint("n", i), nil, cfg)
		nodes = append(nodes, n)
		for _, room := range []string{"red", "blue"} {
			name := fmt.Sprintf("%s-%s", n.name, room)
			peers[name] = connectPeer(t, n.hs.URL, name, room, nil)
		}
	}
	return nodes, peers
}

// TestBroadcast checks that broadcasts to all, to a room, and except a room,
// sent from each node, reach exactly the selected clients of every node
// once, binary arguments included.
func TestBroadcast(t *testing.T) {
	nodes, peers := threeNodes(t, nil)
	for _, from := range nodes {
		cases := []struct {
			op   server.BroadcastOperator
			want func(name string) bool
		}{
			{from.srv.Of("/").Local().To(), func(n string) bool { return strings.HasPrefix(n, from.name+"-") }},
			{from.srv.To(), func(string) bool { return true }},
			{from.srv.To("red"), func(n string) bool { return strings.HasSuffix(n, "red") }},
			{from.srv.Except("red"), func(n string) bool { return strings.HasSuffix(n, "blue") }},
			{from.srv.To("red", "blue").Except("blue"), func(n string) bool { return strings.HasSuffix(n, "red") }},
		}
		for i, c := range cases {
			if err := c.op.Emit("ev", from.name, i, []byte{1, 2, 3}); err != nil {
				t.Fatal(err)
			}
			for name, p := range peers {
				if !c.want(name) {
					p.quiet(t)
					continue
				}
				got := p.take(t, 1)
				want := fmt.Sprintf(`ev "%s" %d {"_placeholder":true,"num":0}`, from.name, i)
				if len(got) != 1 || got[0] != want {
					t.Fatalf("case %d from %s: %s got %q, want [%s]", i, from.name, name, got, want)
				}
			}
		}
	}
}

// TestBroadcastWithAck checks that a broadcast with acks counts the clients
// of every node and completes with each one's reply.
func TestBroadcastWithAck(t *testing.T) {
	nodes, _ := threeNodes(t, nil)
	for _, from := range nodes {
		replies, err := from.srv.Timeout(5*time.Second).EmitWithAck(context.Background(), "ping", 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range replies {
			got = append(got, string(r.Raw(0)))
		}
		sort.Strings(got)
		want := []string{`"n0-blue"`, `"n0-red"`, `"n1-blue"`, `"n1-red"`, `"n2-blue"`, `"n2-red"`}
		if !slices.Equal(got, want) {
			t.Fatalf("from %s: replies %q", from.name, got)
		}
		replies, err = from.srv.To("red").Timeout(5*time.Second).EmitWithAck(context.Background(), "ping")
		if err != nil || len(replies) != 3 {
			t.Fatalf("from %s to red: %d replies, %v", from.name, len(replies), err)
		}
	}
}

// TestFetchSocketsAndRemoteOps checks fetchSockets across nodes (with the
// remote sockets' handshake and data), then socketsJoin, socketsLeave and
// disconnectSockets applied on every node.
func TestFetchSocketsAndRemoteOps(t *testing.T) {
	nodes, peers := threeNodes(t, nil)
	ctx := context.Background()
	all, err := nodes[0].srv.FetchSockets(ctx)
	if err != nil || len(all) != 6 {
		t.Fatalf("fetchSockets: %d sockets, %v", len(all), err)
	}
	for _, rs := range all {
		_, local := rs.Local()
		node, _ := rs.Data["node"].(string)
		name := rs.Handshake.Query.Get("name")
		if !strings.HasPrefix(name, node+"-") || local != (node == "n0") || !slices.Contains(rs.Rooms, rs.ID) {
			t.Fatalf("socket %s: node %q, name %q, local %v, rooms %q", rs.ID, node, name, local, rs.Rooms)
		}
	}
	reds, err := nodes[1].srv.In("red").FetchSockets(ctx)
	if err != nil || len(reds) != 3 {
		t.Fatalf("fetchSockets red: %d, %v", len(reds), err)
	}

	// Every red socket joins "joined", from n1.
	if err := nodes[1].srv.In("red").SocketsJoin("joined"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the join on every node", func() bool {
		js, _ := nodes[2].srv.In("joined").FetchSockets(ctx)
		return slices.Equal(sortedIDs(js), sortedIDs(reds))
	})
	_ = nodes[0].srv.To("joined").Emit("j")
	for name, p := range peers {
		if strings.HasSuffix(name, "red") {
			if got := p.take(t, 1); len(got) != 1 || got[0] != "j" {
				t.Fatalf("%s got %q", name, got)
			}
		} else {
			p.quiet(t)
		}
	}
	// And leave it, from n2.
	if err := nodes[2].srv.In("joined").SocketsLeave("joined"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the leave on every node", func() bool {
		js, _ := nodes[0].srv.In("joined").FetchSockets(ctx)
		return len(js) == 0
	})
	// The blue sockets are disconnected, from n0.
	if err := nodes[0].srv.In("blue").DisconnectSockets(true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the blue sockets to leave", func() bool {
		rest, _ := nodes[1].srv.FetchSockets(ctx)
		return len(rest) == 3
	})
}

// TestServerSideEmit checks serverSideEmit without and with acks between
// nodes, and the server count.
func TestServerSideEmit(t *testing.T) {
	nodes, _ := threeNodes(t, nil)
	got := make(chan string, 8)
	for _, n := range nodes {
		n.srv.Of("/").OnServerSideEmit("hello", func(args server.Args) {
			got <- n.name + " " + string(args.Raw(0))
		})
		n.adapter().OnServerSideEmit("question", func(args server.Args, ack func(any) error) {
			_ = ack(n.name + ":" + string(args.Raw(0)))
		})
	}
	if c, err := nodes[0].srv.Of("/").Adapter().ServerCount(context.Background()); c != 3 || err != nil {
		t.Fatalf("server count %d, %v", c, err)
	}
	if err := nodes[0].srv.ServerSideEmit(context.Background(), "hello", "x"); err != nil {
		t.Fatal(err)
	}
	var heard []string
	for range 2 {
		select {
		case s := <-got:
			heard = append(heard, s)
		case <-time.After(3 * time.Second):
			t.Fatal("serverSideEmit not received")
		}
	}
	sort.Strings(heard)
	if !slices.Equal(heard, []string{`n1 "x"`, `n2 "x"`}) {
		t.Fatalf("heard %q", heard)
	}
	replies, err := nodes[2].adapter().ServerSideEmitWithAck(context.Background(), "question", 7)
	if err != nil {
		t.Fatal(err)
	}
	var rs []string
	for _, r := range replies {
		rs = append(rs, string(r.Raw(0)))
	}
	sort.Strings(rs)
	if !slices.Equal(rs, []string{`"n0:7"`, `"n1:7"`}) {
		t.Fatalf("replies %q", rs)
	}
}

// TestDeadNode checks that a node that stopped answering makes requests
// fail with ErrTimeout (after the answers of the others), and that a node
// gone from the transport no longer counts.
func TestDeadNode(t *testing.T) {
	bus := cluster.NewBus()
	cfg := &cluster.Config{RequestTimeout: 300 * time.Millisecond}
	a := newNode(t, bus, "a", nil, cfg)
	b := newNode(t, bus, "b", nil, cfg)
	c := newNode(t, bus, "c", nil, cfg)
	connectPeer(t, b.hs.URL, "b1", "", nil)
	bus.Stall(c.adapter().UID(), true)
	socks, err := a.srv.FetchSockets(context.Background())
	if !errors.Is(err, cluster.ErrTimeout) || !errors.Is(err, server.ErrTimeout) || len(socks) != 1 {
		t.Fatalf("fetchSockets with a stalled node: %d sockets, %v", len(socks), err)
	}
	t.Log(err)
	_, err = a.adapter().ServerSideEmitWithAck(context.Background(), "q")
	if !errors.Is(err, cluster.ErrTimeout) {
		t.Fatalf("serverSideEmitWithAck with a stalled node: %v", err)
	}
	bus.Sever(c.adapter().UID())
	if n, _ := a.adapter().ServerCount(context.Background()); n != 2 {
		t.Fatalf("server count %d after a node was lost", n)
	}
	if socks, err := a.srv.FetchSockets(context.Background()); err != nil || len(socks) != 1 {
		t.Fatalf("fetchSockets without the lost node: %d, %v", len(socks), err)
	}
}

// TestHeartbeat checks heartbeat mode: nodes count each other from their
// heartbeats, and a closed node is removed at once.
func TestHeartbeat(t *testing.T) {
	bus := cluster.NewBus()
	cfg := &cluster.Config{HeartbeatInterval: 100 * time.Millisecond}
	a := newNode(t, bus, "a", nil, cfg)
	b := newNode(t, bus, "b", nil, cfg)
	count := func(n *node) int { c, _ := n.adapter().ServerCount(context.Background()); return c }
	eventually(t, "both nodes to count 2", func() bool { return count(a) == 2 && count(b) == 2 })
	if err := b.srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a to count 1", func() bool { return count(a) == 1 })
}

// TestNamespaces checks that each namespace has its own adapter on the
// cluster: a broadcast reaches the clients of its namespace on every node,
// and only them.
func TestNamespaces(t *testing.T) {
	bus := cluster.NewBus()
	a := newNode(t, bus, "a", nil, nil)
	b := newNode(t, bus, "b", nil, nil)
	a.srv.Of("/chat")
	b.srv.Of("/chat")
	main := connectPeer(t, a.hs.URL, "main", "", nil)
	chat := connectPeer(t, a.hs.URL+"/chat", "chat", "", nil)
	if err := b.srv.Of("/chat").Emit("c", 1); err != nil {
		t.Fatal(err)
	}
	if got := chat.take(t, 1); len(got) != 1 || got[0] != "c 1" {
		t.Fatalf("chat got %q", got)
	}
	main.quiet(t)
	if err := b.srv.Emit("m", 2); err != nil {
		t.Fatal(err)
	}
	if got := main.take(t, 1); len(got) != 1 || got[0] != "m 2" {
		t.Fatalf("main got %q", got)
	}
	chat.quiet(t)
	if n, _ := b.srv.Of("/chat").Adapter().ServerCount(context.Background()); n != 2 {
		t.Fatalf("/chat server count %d", n)
	}
}
