package cluster_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// TestRecoveryAfterLostNode checks connection state recovery across nodes
// when the client's node is lost (cut off the bus and its connections
// dropped, so that it persists nothing when it sees the disconnect): the
// client reconnects to another node with the same id, its rooms and data,
// and gets every event emitted to its room meanwhile, from both other
// nodes, once, in order.
func TestRecoveryAfterLostNode(t *testing.T) {
	bus := cluster.NewBus()
	opts := &server.Options{ConnectionStateRecovery: &server.RecoveryOptions{}}
	a := newNode(t, bus, "a", opts, nil)
	b := newNode(t, bus, "b", opts, nil)
	c := newNode(t, bus, "c", opts, nil)
	fr := newFront(t, a.srv)
	p := connectPeer(t, fr.hs.URL, "p", "room", &client.Options{ReconnectionDelay: 50 * time.Millisecond, ReconnectionDelayMax: 100 * time.Millisecond})
	id := p.sock.ID()
	s, ok := a.srv.Of("/").Socket(id)
	if !ok {
		t.Fatal("socket not on a")
	}
	s.Join("late")
	s.Data().Store("k", "v")
	// One event before the loss gives the client its offset.
	_ = b.srv.To("room").Emit("before", 0)
	if got := p.take(t, 1); len(got) != 1 || !strings.HasPrefix(got[0], `before 0 "`) {
		t.Fatalf("before the loss: %q", got)
	}

	// a is lost.
	bus.Sever(a.adapter().UID())
	fr.set(b.srv)
	fr.cut()
	eventually(t, "the client to notice", func() bool { return !p.sock.Connected() })
	for i := 1; i <= 3; i++ {
		_ = b.srv.To("late").Emit("missed", fmt.Sprint("b", i))
		_ = c.srv.To("room").Emit("missed", fmt.Sprint("c", i))
		_ = c.srv.To("elsewhere").Emit("notmine")
	}
	eventually(t, "the client to reconnect", func() bool { return p.sock.Connected() })
	if !p.sock.Recovered() || p.sock.ID() != id {
		t.Fatalf("recovered %v, id %q (was %q)", p.sock.Recovered(), p.sock.ID(), id)
	}
	got := p.take(t, 6)
	if len(got) != 6 {
		rs, _ := b.srv.Of("/").Socket(id)
		t.Fatalf("missed events %q (rooms %q)", got, rs.Rooms())
	}
	// Each node's broadcasts in the order it emitted them (the two nodes
	// publish concurrently: their broadcasts interleave in the stream in any
	// order), and all of them in the stream's order.
	var fromB, fromC []string
	for _, g := range got {
		switch {
		case strings.HasPrefix(g, `missed "b`):
			fromB = append(fromB, g)
		case strings.HasPrefix(g, `missed "c`):
			fromC = append(fromC, g)
		}
	}
	for i := 1; i <= 3; i++ {
		if len(fromB) != 3 || len(fromC) != 3 ||
			!strings.HasPrefix(fromB[i-1], fmt.Sprintf(`missed "b%d" "`, i)) ||
			!strings.HasPrefix(fromC[i-1], fmt.Sprintf(`missed "c%d" "`, i)) {
			t.Fatalf("missed events %q, want b1..b3 and c1..c3 in order, each with its offset", got)
		}
	}
	for i := 1; i < len(got); i++ {
		if offsetOf(got[i]) <= offsetOf(got[i-1]) {
			t.Fatalf("missed events %q not in the stream's order", got)
		}
	}
	p.quiet(t)
	rs, ok := b.srv.Of("/").Socket(id)
	if !ok || !rs.Recovered() {
		t.Fatal("socket not recovered on b")
	}
	if v, _ := rs.Data().Load("k"); v != "v" || !contains(rs.Rooms(), "late") || !contains(rs.Rooms(), "room") {
		t.Fatalf("recovered rooms %q, data %v", rs.Rooms(), v)
	}
	// After recovery, events still flow from every live node.
	_ = c.srv.To("late").Emit("after")
	if got := p.take(t, 1); len(got) != 1 || !strings.HasPrefix(got[0], `after "`) {
		t.Fatalf("after recovery: %q", got)
	}
	_ = context.Background
}

// offsetOf returns the number before "-0" of the offset that ends event
// text e (the Bus numbers its messages "N-0").
func offsetOf(e string) int {
	i := strings.LastIndex(e, ` "`)
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(e[i+2:], `"`), "-0"))
	return n
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
