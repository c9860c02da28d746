package server

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// twoServers is an Adapter as a multi-server one would be written: it embeds
// *MemoryAdapter for the local sockets and plays a second server that has
// one socket, "remote", which answers acks with "far".
type twoServers struct {
	*MemoryAdapter
	broadcasts int
}

func (a *twoServers) ServerCount(context.Context) (int, error) { return 2, nil }

func (a *twoServers) Broadcast(ctx context.Context, p *sio.Packet, opts BroadcastOptions) error {
	a.broadcasts++
	return a.MemoryAdapter.Broadcast(ctx, p, opts)
}

func (a *twoServers) BroadcastWithAck(ctx context.Context, p *sio.Packet, opts BroadcastOptions, onCount func(int), onAck func(Args, error)) error {
	if err := a.MemoryAdapter.BroadcastWithAck(ctx, p, opts, onCount, onAck); err != nil {
		return err
	}
	if opts.Flags.Local {
		return nil
	}
	go func() { // the other server answers later
		onCount(1)
		onAck(sio.RawArgs(json.RawMessage(`"far"`)), nil)
	}()
	return nil
}

func (a *twoServers) FetchSockets(ctx context.Context, opts BroadcastOptions) ([]*RemoteSocket, error) {
	out, err := a.MemoryAdapter.FetchSockets(ctx, opts)
	if opts.Flags.Local {
		return out, err
	}
	return append(out, NewRemoteSocket(a.nsp, "remote", &Handshake{}, []string{"remote"}, nil)), err
}

// TestCustomAdapter checks that the Adapter interface is enough for an
// adapter spanning servers: broadcasts, acks counted per server, remote
// sockets.
func TestCustomAdapter(t *testing.T) {
	var adapters []*twoServers
	srv := newServer(t, &Options{Adapter: func(nsp *Namespace) Adapter {
		a := &twoServers{MemoryAdapter: NewMemoryAdapter(nsp)}
		adapters = append(adapters, a)
		return a
	}})
	fs, _ := connected(t, srv, "/", 2)
	if err := srv.Emit("m"); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		f.waitSent(t, `2["m"]`)
	}
	if adapters[0].broadcasts != 1 {
		t.Fatalf("%d broadcasts through the custom adapter", adapters[0].broadcasts)
	}

	type result struct {
		replies []string
		err     error
	}
	res := make(chan result, 1)
	go func() {
		rs, err := srv.Timeout(5*time.Second).EmitWithAck(context.Background(), "q")
		var out []string
		for _, r := range rs {
			out = append(out, string(r.Raw(0)))
		}
		slices.Sort(out)
		res <- result{out, err}
	}()
	for _, f := range fs {
		f.waitSent(t, `2`)
		f.in(`30["near"]`)
	}
	if r := <-res; r.err != nil || !slices.Equal(r.replies, []string{`"far"`, `"near"`, `"near"`}) {
		t.Fatalf("replies %q, err %v", r.replies, r.err)
	}

	socks, err := srv.FetchSockets(context.Background())
	if err != nil || len(socks) != 3 {
		t.Fatalf("fetched %d sockets, %v", len(socks), err)
	}
	local, _ := srv.Local().FetchSockets(context.Background())
	if len(local) != 2 {
		t.Fatalf("%d local sockets", len(local))
	}
	for _, s := range socks {
		if _, ok := s.Local(); ok == (s.ID == "remote") {
			t.Fatalf("socket %s: Local %v", s.ID, ok)
		}
	}
}

// TestMemoryAdapterOwnRoom checks the rooms named after socket ids: the own
// room can be left and joined again, another socket may join it, and a
// socket out of every room still gets broadcasts to all.
func TestMemoryAdapterOwnRoom(t *testing.T) {
	srv := newServer(t, nil)
	f1, f2 := dial(srv), dial(srv)
	f1.connect(t, "0")
	f2.connect(t, "0")
	a := srv.Of("/").Adapter().(*MemoryAdapter)
	var s1, s2 *Socket
	for _, s := range srv.Sockets() {
		if s.client == f1.c {
			s1 = s
		} else {
			s2 = s
		}
	}
	if !slices.Equal(s1.Rooms(), []string{s1.ID()}) {
		t.Fatalf("rooms %q", s1.Rooms())
	}
	s2.Join(s1.ID(), "r")
	if got, _ := a.Sockets(t.Context(), []string{s1.ID()}); len(got) != 2 {
		t.Fatalf("room %s has %q", s1.ID(), got)
	}
	want := []string{"r", s1.ID(), s2.ID()}
	slices.Sort(want)
	if !slices.Equal(a.Rooms(), want) {
		t.Fatalf("Rooms %q, want %q", a.Rooms(), want)
	}
	s1.Leave(s1.ID())
	if got, _ := a.Sockets(t.Context(), []string{s1.ID()}); !slices.Equal(got, []string{s2.ID()}) {
		t.Fatalf("room %s has %q after its socket left", s1.ID(), got)
	}
	if len(s1.Rooms()) != 0 {
		t.Fatalf("rooms %q", s1.Rooms())
	}
	f1.take()
	_ = srv.Emit("all")
	_ = srv.To(s1.ID()).Emit("own")
	if got := f1.take(); !slices.Equal(got, []string{`2["all"]`}) {
		t.Fatalf("socket out of every room got %q", got)
	}
	s1.Join(s1.ID())
	s2.Leave("r")
	pair := []string{s1.ID(), s2.ID()}
	slices.Sort(pair)
	if !slices.Equal(s1.Rooms(), []string{s1.ID()}) || !slices.Equal(s2.Rooms(), pair) {
		t.Fatalf("rooms %q and %q", s1.Rooms(), s2.Rooms())
	}
	s1.Disconnect(false)
	s2.Disconnect(false)
	if left := adapterLeft(srv.Of("/")); left != "" {
		t.Fatalf("adapter keeps %s", left)
	}
}
