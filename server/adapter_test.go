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
