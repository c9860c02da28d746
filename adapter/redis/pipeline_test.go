//go:build !js

package redis

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// countingClient counts the round trips of the writes that carry
// broadcasts (a Pipeline, or one PUBLISH / SPUBLISH / XADD), and can hold
// the first Pipeline until gate is closed.
type countingClient struct {
	Client
	gate chan struct{}

	mu         sync.Mutex
	roundTrips int
	commands   int
}

func (c *countingClient) count(cmds int) {
	c.mu.Lock()
	c.roundTrips++
	c.commands += cmds
	c.mu.Unlock()
}

func (c *countingClient) trips() (roundTrips, commands int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.roundTrips, c.commands
}

func (c *countingClient) Pipeline(ctx context.Context, cmds []Cmd) ([]string, []error) {
	if c.gate != nil {
		<-c.gate
	}
	c.count(len(cmds))
	return c.Client.(Pipeliner).Pipeline(ctx, cmds)
}

func (c *countingClient) Publish(ctx context.Context, channel string, payload []byte) error {
	c.count(1)
	return c.Client.Publish(ctx, channel, payload)
}

func (c *countingClient) SPublish(ctx context.Context, channel string, payload []byte) error {
	c.count(1)
	return c.Client.SPublish(ctx, channel, payload)
}

func (c *countingClient) XAdd(ctx context.Context, stream string, maxLen int64, fields ...string) (string, error) {
	c.count(1)
	return c.Client.XAdd(ctx, stream, maxLen, fields...)
}

// pipeNode is a duplex server on Redis in one of the modes, with a client
// in room "r" that records the argument of every event "n".
type pipeNode struct {
	srv  *server.Server
	logs *logBuffer
	mu   sync.Mutex
	got  []int
}

func startPipeNode(t *testing.T, mode string, c Client) *pipeNode {
	t.Helper()
	n := &pipeNode{logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(n.logs, nil))
	var adapter func(*server.Namespace) server.Adapter
	var closer func() error
	switch mode {
	case "classic":
		s := NewClassic(c, &ClassicOptions{Logger: log, RequestsTimeout: time.Second})
		adapter, closer = s.Adapter, s.Close
	case "streams":
		s := NewStreams(c, &StreamsOptions{Logger: log, Cluster: &cluster.Config{Logger: log, PublishTimeout: time.Second}})
		adapter, closer = s.Adapter, s.Close
	case "sharded":
		s := NewSharded(c, &ShardedOptions{Logger: log, Cluster: &cluster.Config{Logger: log, PublishTimeout: time.Second}})
		adapter, closer = s.Adapter, s.Close
	}
	n.srv = server.New(&server.Options{Adapter: adapter, Logger: log})
	n.srv.OnConnection(func(s *server.Socket) { s.Join("r") })
	ts := httptest.NewServer(n.srv)
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	cs := client.Connect(ts.URL, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}, Logger: discard})
	connected := make(chan struct{}, 1)
	cs.OnConnect(func() {
		select {
		case connected <- struct{}{}:
		default:
		}
	})
	client.On(cs, "n", func(_ *client.Event, i int) {
		n.mu.Lock()
		n.got = append(n.got, i)
		n.mu.Unlock()
	})
	t.Cleanup(func() {
		cs.Manager().Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = n.srv.Close(ctx)
		ts.Close()
		if closer != nil {
			_ = closer()
		}
	})
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("client did not connect")
	}
	return n
}

// waitFor waits until n's client got want events and checks they are
// 0..want-1 in order.
func (n *pipeNode) waitFor(t *testing.T, who string, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		n.mu.Lock()
		got := append([]int(nil), n.got...)
		n.mu.Unlock()
		if len(got) >= want || time.Now().After(deadline) {
			if len(got) != want {
				t.Fatalf("%s: %d events, want %d", who, len(got), want)
			}
			for i, g := range got {
				if g != i {
					t.Fatalf("%s: event %d is %d: out of order (%v)", who, i, g, got)
				}
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// commandCalls returns the calls of cmd in Redis INFO commandstats.
func commandCalls(t *testing.T, rs *redistest.Server, cmd string) int {
	t.Helper()
	info, err := rs.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

// TestBroadcastBurstPipelinedOnRedis: in each mode, a burst of emits from
// one goroutine of node a returns before Redis answers (the first pipeline
// is held until every Emit returned), is sent to Redis in far fewer round
// trips than messages (each message once: INFO commandstats), and reaches
// the clients of a and of b in the order of the emits.
func TestBroadcastBurstPipelinedOnRedis(t *testing.T) {
	const n = 200
	for _, mode := range []string{"classic", "streams", "sharded"} {
		t.Run(mode, func(t *testing.T) {
			rs := redistest.Start(t)
			ca, err := NewClient(ClientOptions{Addrs: []string{rs.Addr()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer ca.Close()
			cb, err := NewClient(ClientOptions{Addrs: []string{rs.Addr()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer cb.Close()
			counting := &countingClient{Client: ca}
			a := startPipeNode(t, mode, counting)
			b := startPipeNode(t, mode, cb)
			cmd := map[string]string{"classic": "publish", "streams": "xadd", "sharded": "spublish"}[mode]
			before := commandCalls(t, rs, cmd)

			counting.mu.Lock()
			counting.gate = make(chan struct{})
			counting.mu.Unlock()
			emitted := make(chan struct{})
			go func() {
				defer close(emitted)
				for i := range n {
					if err := a.srv.To("r").Emit("n", i); err != nil {
						t.Error(err)
					}
				}
			}()
			select {
			case <-emitted:
			case <-time.After(10 * time.Second):
				t.Error("the emits wait for Redis")
			}
			close(counting.gate)
			<-emitted
			a.waitFor(t, "a's client", n)
			b.waitFor(t, "b's client", n)

			trips, cmds := counting.trips()
			if cmds < n {
				t.Fatalf("%d commands counted for %d broadcasts", cmds, n)
			}
			if trips > n/10 {
				t.Fatalf("%d round trips for %d broadcasts from one goroutine, want at most %d", trips, n, n/10)
			}
			if calls := commandCalls(t, rs, cmd) - before; calls != n {
				t.Fatalf("Redis counted %d %s calls, want %d", calls, cmd, n)
			}
			t.Logf("%s: %d broadcasts in %d round trips (%d commands)", mode, n, trips, cmds)
		})
	}
}

// TestBroadcastRedisDown: with redis-server stopped, emits still return
// and reach the node's own clients; what could not be published is logged
// with how many were lost and counted; once Redis is back, broadcasts reach
// the other node again.
func TestBroadcastRedisDown(t *testing.T) {
	const n = 30
	for _, mode := range []string{"classic", "streams"} {
		t.Run(mode, func(t *testing.T) {
			rs := redistest.Start(t)
			ca, err := NewClient(ClientOptions{Addrs: []string{rs.Addr()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer ca.Close()
			cb, err := NewClient(ClientOptions{Addrs: []string{rs.Addr()}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer cb.Close()
			a := startPipeNode(t, mode, ca)
			b := startPipeNode(t, mode, cb)

			rs.Stop()
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := range n {
					if err := a.srv.To("r").Emit("n", i); err != nil {
						t.Errorf("Emit %d with Redis down: %v", i, err)
					}
				}
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the emits hang with Redis down")
			}
			a.waitFor(t, "a's client", n)
			a.logs.waitFor(t, "broadcasts not published", 10*time.Second)
			if !strings.Contains(a.logs.String(), "lost=") {
				t.Fatalf("the number lost is not logged:\n%s", a.logs.String())
			}
			var lost int64
			switch ad := a.srv.Of("/").Adapter().(type) {
			case *ClassicAdapter:
				if err := ad.Flush(t.Context()); err != nil {
					t.Fatal(err)
				}
				lost = ad.LostBroadcasts()
			case *cluster.Adapter:
				if err := ad.Flush(t.Context()); err != nil {
					t.Fatal(err)
				}
				lost = ad.LostBroadcasts()
			}
			if lost != n {
				t.Fatalf("LostBroadcasts %d, want %d", lost, n)
			}
			if st := a.srv.Stats(); len(st.Namespaces) == 0 || st.Namespaces[0].LostBroadcasts != n {
				t.Fatalf("Stats().Namespaces %+v, want / with LostBroadcasts %d", st.Namespaces, n)
			}
			b.mu.Lock()
			if len(b.got) != 0 {
				t.Errorf("b got %v with Redis down", b.got)
			}
			b.mu.Unlock()

			rs.Restart(0)
			// Once the subscribers are back, a broadcast from a reaches b.
			deadline := time.Now().Add(20 * time.Second)
			for {
				_ = a.srv.To("back").Emit("probe")
				b.mu.Lock()
				b.got = nil
				b.mu.Unlock()
				_ = a.srv.To("r").Emit("n", 0)
				time.Sleep(100 * time.Millisecond)
				b.mu.Lock()
				ok := len(b.got) > 0
				b.mu.Unlock()
				if ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: no broadcast reaches b after Redis is back", mode)
				}
			}
		})
	}
}
