package server

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// connected dials n fake clients to nsp and returns them with their sockets.
func connected(t *testing.T, srv *Server, nsp string, n int) ([]*fakeClient, []*Socket) {
	t.Helper()
	msg := "0"
	if nsp != "/" {
		msg = "0" + nsp + ","
	}
	var fs []*fakeClient
	var ss []*Socket
	for range n {
		f := dial(srv)
		f.in(msg)
		reply := f.waitSent(t, msg)
		sid := reply[strings.Index(reply, `"sid":"`)+7:]
		sid = sid[:20]
		s, ok := srv.Of(nsp).Socket(sid)
		if !ok {
			t.Fatalf("socket %s not found", sid)
		}
		fs = append(fs, f)
		ss = append(ss, s)
	}
	return fs, ss
}

func TestBroadcastTargets(t *testing.T) {
	srv := newServer(t, nil)
	fs, ss := connected(t, srv, "/", 4)
	ss[0].Join("a")
	ss[1].Join("a", "b")
	ss[2].Join("b")
	check := func(name string, emit func() error, want ...int) {
		t.Helper()
		if err := emit(); err != nil {
			t.Fatal(err)
		}
		var got []int
		for i, f := range fs {
			sent := f.take()
			switch len(sent) {
			case 0:
			case 1:
				if sent[0] != `2["m"]` {
					t.Errorf("%s: socket %d got %q", name, i, sent)
				}
				got = append(got, i)
			default:
				t.Errorf("%s: socket %d got %q", name, i, sent)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: delivered to %v, want %v", name, got, want)
		}
	}
	check("all", func() error { return srv.Emit("m") }, 0, 1, 2, 3)
	check("room", func() error { return srv.To("a").Emit("m") }, 0, 1)
	check("two rooms once each", func() error { return srv.To("a").To("b").Emit("m") }, 0, 1, 2)
	check("except", func() error { return srv.Except("b").Emit("m") }, 0, 3)
	check("room except room", func() error { return srv.In("a").Except("b").Emit("m") }, 0)
	check("socket broadcast", func() error { return ss[1].Broadcast().Emit("m") }, 0, 2, 3)
	check("socket to room", func() error { return ss[1].To("a", "b").Emit("m") }, 0, 2)
	check("socket id room", func() error { return srv.To(ss[3].ID()).Emit("m") }, 3)
	check("unknown room", func() error { return srv.To("zzz").Emit("m") })
	check("volatile", func() error { return srv.Volatile().Local().Compress(true).Emit("m") }, 0, 1, 2, 3)

	// Immutability: deriving from an operator leaves it unchanged.
	base := srv.To("a")
	_ = base.To("b").Except("a")
	check("base unchanged", func() error { return base.Emit("m") }, 0, 1)

	if err := srv.Emit("m", AckFunc(func(Args, error) {})); err == nil {
		t.Fatal("broadcast Emit accepted an AckFunc")
	}
}

func TestSocketsJoinLeaveFetchDisconnect(t *testing.T) {
	srv := newServer(t, nil)
	fs, ss := connected(t, srv, "/", 3)
	ss[0].Data().Store("name", "zero")
	if err := srv.Except(ss[2].ID()).SocketsJoin("x", "y"); err != nil {
		t.Fatal(err)
	}
	if err := srv.In("x").SocketsLeave("y"); err != nil {
		t.Fatal(err)
	}
	socks, err := srv.In("x").FetchSockets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(socks, func(i, j int) bool { return socks[i].ID == ss[0].ID() })
	if len(socks) != 2 || socks[0].Data["name"] != "zero" || !slices.Contains(socks[0].Rooms, "x") || slices.Contains(socks[0].Rooms, "y") {
		t.Fatalf("fetched %+v", socks)
	}
	if l, ok := socks[0].Local(); !ok || l != ss[0] {
		t.Fatal("Local")
	}
	if err := socks[0].Emit("direct"); err != nil {
		t.Fatal(err)
	}
	fs[0].waitSent(t, `2["direct"]`)
	if err := srv.In("x").DisconnectSockets(false); err != nil {
		t.Fatal(err)
	}
	if ss[0].Connected() || ss[1].Connected() || !ss[2].Connected() {
		t.Fatal("wrong sockets disconnected")
	}
	fs[0].waitSent(t, "1")
	ids, _ := srv.Of("/").Adapter().Sockets(context.Background(), nil)
	if !slices.Equal(ids, []string{ss[2].ID()}) {
		t.Fatalf("sockets %q", ids)
	}
	if n, _ := srv.Of("/").Adapter().ServerCount(context.Background()); n != 1 {
		t.Fatal(n)
	}
	if err := srv.ServerSideEmit(context.Background(), "hello", 1); err != nil {
		t.Fatal(err)
	}
}

func TestBroadcastWithAck(t *testing.T) {
	srv := newServer(t, nil)
	fs, ss := connected(t, srv, "/", 3)
	type result struct {
		replies []Args
		err     error
	}
	res := make(chan result, 1)
	go func() {
		r, err := srv.Timeout(5*time.Second).EmitWithAck(context.Background(), "q", 1)
		res <- result{r, err}
	}()
	for _, f := range fs {
		f.waitSent(t, `20["q",1]`)
	}
	fs[0].in(`30["a"]`)
	fs[1].in("1") // leaves: not awaited any more
	fs[2].in(`30["c"]`)
	r := <-res
	if r.err != nil || len(r.replies) != 2 {
		t.Fatalf("replies %v, err %v", r.replies, r.err)
	}

	// Timeout: the replies so far, and ErrTimeout.
	go func() {
		r, err := srv.Timeout(50*time.Millisecond).EmitWithAck(context.Background(), "q")
		res <- result{r, err}
	}()
	fs[0].waitSent(t, `21["q"]`)
	fs[0].in(`31["a"]`)
	r = <-res
	if !errors.Is(r.err, ErrTimeout) || len(r.replies) != 1 {
		t.Fatalf("replies %v, err %v", r.replies, r.err)
	}
	// The sockets that never answered do not keep the ack.
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range []*Socket{ss[0], ss[2]} {
		for {
			s.mu.Lock()
			n := len(s.acks)
			s.mu.Unlock()
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("socket %s keeps %d pending acks after the broadcast timed out", s.ID(), n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// No recipient: returns at once.
	if r, err := srv.To("nobody").EmitWithAck(context.Background(), "q"); err != nil || len(r) != 0 {
		t.Fatal(r, err)
	}
}

func TestServerSideEmitReceive(t *testing.T) {
	srv := newServer(t, nil)
	got := make(chan string, 1)
	srv.Of("/").OnServerSideEmit("hello", func(a Args) { got <- string(a.Raw(0)) })
	srv.Of("/").ReceiveServerSideEmit("hello", sio.RawArgs(json.RawMessage(`"x"`)))
	if g := <-got; g != `"x"` {
		t.Fatal(g)
	}
	if err := srv.ServerSideEmit(context.Background(), "connect"); err == nil {
		t.Fatal("reserved name accepted")
	}
}
