//go:build !js

package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/scripted"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// goNode is a duplex server of the cluster, in the test's process, with the
// same behaviour as interop/cluster/node.js: a socket gets data {name, node}
// and joins the rooms of its query; "join", "leave" and "whoami" events;
// serverSideEmit "hello" answered with the node's name.
type goNode struct {
	name   string
	srv    *server.Server
	hs     *httptest.Server
	client redis.Client
	closer interface{ Close() error }
	sse    chan string
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// newGoNode starts a duplex node on the Redis at addr; adapter makes the
// server's adapter factory from the node's client.
func newGoNode(t testing.TB, addr, name string, adapter adapterMaker) *goNode {
	t.Helper()
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{addr}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	factory, closer := adapter.make(c)
	opts := &server.Options{Adapter: factory, Logger: testLogger()}
	if adapter.recovery {
		opts.ConnectionStateRecovery = &server.RecoveryOptions{}
	}
	srv := server.New(opts)
	n := &goNode{name: name, srv: srv, client: c, closer: closer, sse: make(chan string, 64)}
	srv.Use(scripted.Middleware(name))
	srv.OnConnection(func(s *server.Socket) {
		s.On("join", func(e *server.Event) {
			var room string
			_ = e.Decode(&room)
			s.Join(room)
			_ = e.Ack(true)
		})
		s.On("leave", func(e *server.Event) {
			var room string
			_ = e.Decode(&room)
			s.Leave(room)
			_ = e.Ack(true)
		})
	})
	srv.Of("/").OnServerSideEmit("hello", func(args server.Args) { n.sse <- string(args.Raw(0)) })
	n.adapter().OnServerSideEmit("hello", func(_ server.Args, ack func(any) error) { _ = ack(name) })
	n.hs = httptest.NewServer(srv)
	t.Cleanup(n.stop)
	return n
}

func (n *goNode) adapter() *cluster.Adapter { return n.srv.Of("/").Adapter().(*cluster.Adapter) }

func (n *goNode) addr() string { return n.hs.Listener.Addr().String() }

func (n *goNode) stop() {
	n.hs.CloseClientConnections()
	n.hs.Close()
	_ = n.srv.Close(context.Background())
	_ = n.closer.Close()
	n.client.Close()
}

// lose makes the node vanish from the cluster as a killed process would: its
// Redis connections close first (so that nothing it does afterwards reaches
// Redis), then its clients' connections are cut by the caller.
func (n *goNode) lose() { n.client.Close() }

// adapterMaker makes a node's adapter factory from its Redis client.
type adapterMaker struct {
	make     func(c redis.Client) (func(*server.Namespace) server.Adapter, interface{ Close() error })
	recovery bool // connection state recovery on the node
}

var streamsAdapter = adapterMaker{recovery: true, make: func(c redis.Client) (func(*server.Namespace) server.Adapter, interface{ Close() error }) {
	s := redis.NewStreams(c, &redis.StreamsOptions{Logger: testLogger(), Cluster: &cluster.Config{RequestTimeout: 3 * time.Second}})
	return s.Adapter, s
}}

// shardedAdapter: without recovery (a Node sharded node with recovery on
// appends an empty offset to every broadcast).
var shardedAdapter = adapterMaker{make: func(c redis.Client) (func(*server.Namespace) server.Adapter, interface{ Close() error }) {
	s := redis.NewSharded(c, &redis.ShardedOptions{Logger: testLogger(), Cluster: &cluster.Config{RequestTimeout: 3 * time.Second}})
	return s.Adapter, s
}}

// clientEvents collects the events of the official clients by client name.
type clientEvents struct {
	mu    sync.Mutex
	got   map[string][]string
	other []map[string]any // connect, disconnect, connect_error
}

// collect moves the events of cl's process into e until the test ends.
func collect(t *testing.T, cl *nodeproc.Proc) *clientEvents {
	e := &clientEvents{got: map[string][]string{}}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev, ok := cl.Next(stop)
			if !ok {
				return
			}
			if ev["ev"] != "event" {
				e.mu.Lock()
				e.other = append(e.other, ev)
				e.mu.Unlock()
				continue
			}
			name, _ := ev["name"].(string)
			b, _ := json.Marshal(append([]any{ev["event"]}, stripOffset(ev["args"].([]any))...))
			e.mu.Lock()
			e.got[name] = append(e.got[name], string(b))
			e.mu.Unlock()
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return e
}

// stripOffset drops the recovery offset a broadcast gets as its last
// argument (a stream id).
func stripOffset(args []any) []any {
	if n := len(args); n > 0 {
		if s, ok := args[n-1].(string); ok && isStreamID(s) {
			return args[:n-1]
		}
	}
	return args
}

func isStreamID(s string) bool {
	ts, seq, ok := strings.Cut(s, "-")
	if !ok || ts == "" || seq == "" {
		return false
	}
	for _, c := range ts + seq {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// expect waits until every client of want got exactly its events (in any
// order across clients) and the others nothing, then clears them.
func (e *clientEvents) expect(t *testing.T, what string, all []string, want map[string][]string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	check := func() string {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, name := range all {
			got := fmt.Sprint(e.got[name])
			if w := fmt.Sprint(want[name]); got != w {
				return fmt.Sprintf("%s: %s got %s, want %s", what, name, got, w)
			}
		}
		return ""
	}
	for {
		msg := check()
		if msg == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond) // nothing more arrives
	if msg := check(); msg != "" {
		t.Fatal(msg + " (late duplicate)")
	}
	e.mu.Lock()
	e.got = map[string][]string{}
	e.mu.Unlock()
}

// lifecycle waits for a connect/disconnect event matching match, and
// removes it.
func (e *clientEvents) lifecycle(match func(map[string]any) bool, timeout time.Duration) (map[string]any, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		for i, ev := range e.other {
			if match(ev) {
				e.other = append(e.other[:i:i], e.other[i+1:]...)
				e.mu.Unlock()
				return ev, true
			}
		}
		e.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	return nil, false
}

// reset forgets what the clients received.
func (e *clientEvents) reset() {
	e.mu.Lock()
	e.got = map[string][]string{}
	e.mu.Unlock()
}

func sortedStrings(v []string) []string { sort.Strings(v); return v }
