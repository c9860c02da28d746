//go:build !js

package redis_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/nodeproc"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// nowhere is an address that refuses connections: the proxy points there
// while events are emitted, so that the client reconnects only afterwards.
const nowhere = "127.0.0.1:1"

// recoveryCluster is g1, g2 (duplex) and n3 (Node) in streams mode with
// recovery on, and an official client process.
type recoveryCluster struct {
	g1, g2 *goNode
	n3     *nodeproc.Proc
	cl     *nodeproc.Proc
	ev     *clientEvents
	em     redis.Emitter
	rs     *redistest.Server
}

func startRecoveryCluster(t *testing.T) *recoveryCluster {
	rs := redistest.Start(t)
	r := &recoveryCluster{rs: rs}
	r.g1 = newGoNode(t, rs.Addr(), "g1", streamsAdapter)
	r.g2 = newGoNode(t, rs.Addr(), "g2", streamsAdapter)
	r.n3 = nodeproc.Start(t, "n3", "node.js", "--mode", "streams", "--redis", rs.Addr(), "--name", "n3", "--recovery", "120000")
	r.cl = nodeproc.Start(t, "clients", "clients.js")
	r.ev = collect(t, r.cl)
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{rs.Addr()}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	r.em = redis.NewStreamsEmitter(c, nil)
	return r
}

// emit broadcasts event n to room from node; a Node node's XADD is
// asynchronous: wait for it before the next one, so that the stream's order
// is the emit order.
func (r *recoveryCluster) emit(t *testing.T, from, room, event string) {
	t.Helper()
	r.emitArgs(t, from, room, event, from)
}

// emitArgs is emit with args ([]byte values binary).
func (r *recoveryCluster) emitArgs(t *testing.T, from, room, event string, args ...any) {
	t.Helper()
	switch from {
	case "em":
		if err := r.em.To(room).Emit(context.Background(), event, args...); err != nil {
			t.Fatal(err)
		}
	case "g1", "g2":
		// A Go node's emit returns before its XADD (as Node's does): wait
		// for it, so that the emits of the two nodes reach the stream in
		// the order of the calls.
		srv := r.g1.srv
		if from == "g2" {
			srv = r.g2.srv
		}
		_ = srv.To(room).Emit(event, args...)
		f, ok := srv.Of("/").Adapter().(interface{ Flush(context.Context) error })
		if !ok {
			t.Fatalf("%s's adapter %T has no Flush", from, srv.Of("/").Adapter())
		}
		if err := f.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
	case "n3":
		js := make([]any, len(args))
		for i, a := range args {
			if b, ok := a.([]byte); ok {
				a = map[string]any{"$bin": b}
			}
			js[i] = a
		}
		r.n3.Call("emit", map[string]any{"event": event, "args": js, "rooms": []string{room}})
		time.Sleep(100 * time.Millisecond)
	}
}

// officialRecovery connects an official client through a proxy to the node
// at addr, takes one event, has the node lost by lose, emits four events to
// the client's room from the two nodes of emitters, points the proxy to
// next, and checks that the client is recovered with its id and gets the
// four events once, in order.
func officialRecovery(t *testing.T, r *recoveryCluster, addr string, lose func(), emitters []string, next string) {
	px := newProxy(t, addr)
	res := r.cl.Call("connect", map[string]any{"name": "rec", "url": px.URL(), "rooms": []string{"rec"}, "transports": []string{"websocket"}})
	id := res.(map[string]any)["id"].(string)
	if _, ok := r.ev.lifecycle(func(e map[string]any) bool { return e["ev"] == "connect" }, 5*time.Second); !ok {
		t.Fatal("no connect event")
	}
	r.emit(t, emitters[0], "rec", "before")
	r.ev.expect(t, "before the loss", []string{"rec"}, map[string][]string{"rec": {fmt.Sprintf(`["before","%s"]`, emitters[0])}})

	px.set(nowhere)
	lose()
	px.cut()
	if _, ok := r.ev.lifecycle(func(e map[string]any) bool { return e["ev"] == "disconnect" }, 5*time.Second); !ok {
		t.Fatal("the client did not notice the loss")
	}
	var want []string
	for i := range 4 {
		from := emitters[i%2]
		r.emit(t, from, "rec", fmt.Sprint("m", i))
		want = append(want, fmt.Sprintf(`["m%d","%s"]`, i, from))
	}
	// Binary events, kept as msgpack in the stream, are restored too, and
	// so are the emitter's.
	for _, from := range append(emitters, "em") {
		r.emitArgs(t, from, "rec", "bin", from, []byte{0, 1, 0xfe})
		want = append(want, fmt.Sprintf(`["bin","%s",{"$bin":"AAH+"}]`, from))
	}
	r.emit(t, emitters[0], "elsewhere", "notmine")
	px.set(next)
	c, ok := r.ev.lifecycle(func(e map[string]any) bool { return e["ev"] == "connect" }, 10*time.Second)
	if !ok {
		t.Fatal("the client did not reconnect")
	}
	if c["recovered"] != true || c["sid"] != id {
		t.Fatalf("reconnected with %v, want recovered with id %s", c, id)
	}
	r.ev.expect(t, "after the recovery", []string{"rec"}, map[string][]string{"rec": want})
}

// TestStreamsRecoveryLostGoNode: an official client on duplex node g1; g1 is
// lost (its Redis connections, then its clients' connections, closed
// without a disconnect it could persist); events to the client's room from
// g2 and from the Node node n3; the client reconnects to g2 and is
// recovered, same id, every missed event once, in order.
func TestStreamsRecoveryLostGoNode(t *testing.T) {
	r := startRecoveryCluster(t)
	officialRecovery(t, r, r.g1.addr(), r.g1.lose, []string{"g2", "n3"}, r.g2.addr())
}

// TestStreamsRecoverySIGKILL: an official client on a duplex node running in
// a process of its own, killed with SIGKILL; events from g2 and n3; the
// client reconnects to g2 and is recovered from the session the killed node
// wrote at connect (a SIGKILLed Node node loses its sessions).
func TestStreamsRecoverySIGKILL(t *testing.T) {
	r := startRecoveryCluster(t)
	bin := filepath.Join(t.TempDir(), "clusternode")
	if out, err := exec.Command("go", "build", "-o", bin, "./internal/clusternode").CombinedOutput(); err != nil {
		t.Fatalf("building the duplex node: %v\n%s", err, out)
	}
	g9 := nodeproc.StartCmd(t, "g9", exec.Command(bin, "-redis", r.rs.Addr(), "-name", "g9"))
	officialRecovery(t, r, fmt.Sprintf("127.0.0.1:%d", g9.Port()), func() { g9.Kill(syscall.SIGKILL) }, []string{"g2", "n3"}, r.g2.addr())
}

// TestStreamsRecoveryNodeToGo: an official client on the Node node n3,
// stopped with SIGTERM (a Node node persists sessions only when it sees the
// disconnect); events from g1 and g2; the client reconnects to g1 and is
// recovered.
func TestStreamsRecoveryNodeToGo(t *testing.T) {
	r := startRecoveryCluster(t)
	addr := fmt.Sprintf("127.0.0.1:%d", r.n3.Port())
	officialRecovery(t, r, addr, func() { r.n3.Kill(syscall.SIGTERM) }, []string{"g1", "g2"}, r.g1.addr())
}

// TestStreamsRecoveryGoClientToNode: a duplex Go client on duplex node g2,
// which is lost; events from g1 and n3; the client reconnects to the Node
// node n3, which restores the session g2 wrote to Redis at connect.
func TestStreamsRecoveryGoClientToNode(t *testing.T) {
	r := startRecoveryCluster(t)
	px := newProxy(t, r.g2.addr())
	var mu sync.Mutex
	var got []string
	connected := make(chan bool, 8)
	sock := client.Connect(px.URL(), &client.Options{
		Engine: engine.Options{
			Transports: []string{"websocket"},
			Query:      map[string][]string{"name": {"gorec"}, "rooms": {"rec"}},
		},
		ReconnectionDelay: 50 * time.Millisecond, ReconnectionDelayMax: 200 * time.Millisecond,
	})
	defer sock.Manager().Close()
	sock.OnConnect(func() { connected <- sock.Recovered() })
	sock.OnAny(func(e *client.Event) {
		mu.Lock()
		defer mu.Unlock()
		parts := []string{e.Name}
		for _, a := range e.Args.All() {
			parts = append(parts, string(a))
		}
		got = append(got, strings.Join(stripOffsetRaw(parts), " "))
	})
	take := func(n int) []string {
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			g := got
			mu.Unlock()
			if len(g) >= n || time.Now().After(deadline) {
				time.Sleep(100 * time.Millisecond)
				mu.Lock()
				g, got = got, nil
				mu.Unlock()
				return g
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		t.Fatal("not connected")
	}
	id := sock.ID()
	r.emit(t, "g1", "rec", "before")
	if g := take(1); len(g) != 1 || g[0] != `before "g1"` {
		t.Fatalf("before the loss: %q", g)
	}
	px.set(nowhere)
	r.g2.lose()
	px.cut()
	var want []string
	for i := range 4 {
		from := []string{"g1", "n3"}[i%2]
		r.emit(t, from, "rec", fmt.Sprint("m", i))
		want = append(want, fmt.Sprintf(`m%d "%s"`, i, from))
	}
	px.set(fmt.Sprintf("127.0.0.1:%d", r.n3.Port()))
	deadline := time.After(10 * time.Second)
	for {
		select {
		case rec := <-connected:
			if !rec {
				continue // a reconnection attempt that was not recovered would fail below
			}
		case <-deadline:
			t.Fatal("not recovered on n3")
		}
		break
	}
	if sock.ID() != id {
		t.Fatalf("id %s, want %s", sock.ID(), id)
	}
	if g := take(4); fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("missed events %q, want %q", g, want)
	}
}

// stripOffsetRaw drops a trailing JSON string that is a stream id.
func stripOffsetRaw(parts []string) []string {
	if n := len(parts); n > 1 {
		last := parts[n-1]
		if len(last) > 2 && last[0] == '"' && isStreamID(last[1:len(last)-1]) {
			return parts[:n-1]
		}
	}
	return parts
}
