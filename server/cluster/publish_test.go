package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/cluster"
)

// recordingTransport is a BatchPublisher that records the batches it is
// given. While gate is not nil, each PublishBatch waits for a value on it;
// fail, when set, is every publish's error.
type recordingTransport struct {
	gate chan struct{}
	fail error

	mu      sync.Mutex
	batches [][]*cluster.Message
	singles int // Publish calls
}

func (r *recordingTransport) PublishBatch(ctx context.Context, ms []*cluster.Message) ([]string, []error) {
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
		}
	}
	r.mu.Lock()
	r.batches = append(r.batches, append([]*cluster.Message(nil), ms...))
	r.mu.Unlock()
	offs, errs := make([]string, len(ms)), make([]error, len(ms))
	for i := range errs {
		errs[i] = r.fail
		if r.fail == nil && ctx.Err() != nil {
			errs[i] = ctx.Err()
		}
	}
	return offs, errs
}

func (r *recordingTransport) Publish(ctx context.Context, m *cluster.Message) (string, error) {
	r.mu.Lock()
	r.singles++
	r.batches = append(r.batches, []*cluster.Message{m})
	r.mu.Unlock()
	return "", r.fail
}

func (r *recordingTransport) PublishResponse(context.Context, string, *cluster.Message) error {
	return nil
}

func (r *recordingTransport) ServerCount(context.Context) (int, error) { return 1, nil }

// events returns the first argument of every broadcast published, in order,
// and the number of round trips (batches and single publishes).
func (r *recordingTransport) events() (args []string, roundTrips int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.batches {
		for _, m := range b {
			if d, ok := m.Data.(*cluster.BroadcastData); ok {
				var a []json.RawMessage
				_ = json.Unmarshal(d.Packet.Data.JSON, &a)
				if len(a) > 1 {
					args = append(args, string(a[1]))
				}
			}
		}
	}
	return args, len(r.batches)
}

// syncBuffer is a log sink safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// recordingServer returns a server whose "/" adapter publishes on tr.
func recordingServer(t *testing.T, tr *recordingTransport, cfg *cluster.Config) (*server.Server, *cluster.Adapter) {
	t.Helper()
	var a *cluster.Adapter
	srv := server.New(&server.Options{Adapter: func(nsp *server.Namespace) server.Adapter {
		ad := cluster.New(nsp, tr, cfg)
		if nsp.Name() == "/" {
			a = ad
		}
		return ad
	}})
	srv.Of("/")
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	return srv, a
}

func emitPacket(i int) *sio.Packet {
	return &sio.Packet{Type: sio.Event, Namespace: "/", Data: json.RawMessage(fmt.Sprintf(`["n",%d]`, i))}
}

// TestBroadcastBurstPipelined: a burst of emits from one goroutine returns
// without waiting for the transport and is published in far fewer round
// trips than messages, in the order of the emits. (Before, each Emit waited
// for its own Publish: one round trip per message.)
func TestBroadcastBurstPipelined(t *testing.T) {
	const n = 200
	tr := &recordingTransport{gate: make(chan struct{})}
	srv, a := recordingServer(t, tr, nil)
	emitted := make(chan struct{})
	go func() {
		defer close(emitted)
		for i := range n {
			if err := srv.Emit("n", i); err != nil {
				t.Error(err)
			}
		}
	}()
	select {
	case <-emitted:
	case <-time.After(5 * time.Second):
		// The old path: Emit waits for Publish (which does not wait
		// for the gate). Let it finish to report.
		<-emitted
	}
	close(tr.gate) // the transport answers from now on
	if err := a.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	args, trips := tr.events()
	if len(args) != n {
		t.Fatalf("%d broadcasts published, want %d", len(args), n)
	}
	for i, s := range args {
		if s != fmt.Sprint(i) {
			t.Fatalf("published out of order at %d: %q", i, args)
		}
	}
	if trips > n/10 {
		t.Fatalf("%d round trips for %d broadcasts from one goroutine, want at most %d", trips, n, n/10)
	}
	t.Logf("%d broadcasts in %d round trips", n, trips)
}

// TestBroadcastBurstOrder: a burst from one node reaches its own clients
// and another node's in the order of the emits.
func TestBroadcastBurstOrder(t *testing.T) {
	const n = 300
	bus := cluster.NewBus()
	a := newNode(t, bus, "a", nil, nil)
	b := newNode(t, bus, "b", nil, nil)
	local := connectPeer(t, a.hs.URL, "local", "r", nil)
	remote := connectPeer(t, b.hs.URL, "remote", "r", nil)
	for i := range n {
		if err := a.srv.To("r").Emit("n", i); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*peer{local, remote} {
		var got []string
		deadline := time.Now().Add(10 * time.Second)
		for len(got) < n && time.Now().Before(deadline) {
			got = append(got, p.take(t, n-len(got))...)
		}
		if len(got) != n {
			t.Fatalf("%s got %d events, want %d", p.name, len(got), n)
		}
		for i, g := range got {
			if g != fmt.Sprintf("n %d", i) {
				t.Fatalf("%s: event %d is %q (out of order)", p.name, i, g)
			}
		}
		p.quiet(t)
	}
}

// TestCloseDrainsQueue: Close publishes what was queued, in order, before
// it returns (leakcheck: the publish goroutine has ended), and Broadcast
// fails with ErrClosed afterwards.
func TestCloseDrainsQueue(t *testing.T) {
	const n = 50
	tr := &recordingTransport{gate: make(chan struct{})}
	_, a := recordingServer(t, tr, nil)
	for i := range n {
		if err := a.Broadcast(t.Context(), emitPacket(i), server.BroadcastOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan error)
	go func() { closed <- a.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the queue was published", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(tr.gate)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	args, _ := tr.events()
	if len(args) != n {
		t.Fatalf("%d of %d queued broadcasts published at Close", len(args), n)
	}
	for i, s := range args {
		if s != fmt.Sprint(i) {
			t.Fatalf("published out of order at %d: %q", i, args)
		}
	}
	if err := a.Broadcast(t.Context(), emitPacket(0), server.BroadcastOptions{}); !errors.Is(err, cluster.ErrClosed) {
		t.Fatalf("Broadcast after Close: %v, want ErrClosed", err)
	}
}

// TestPublishFailureLoggedAndCounted: broadcasts the transport fails to
// publish are logged with how many were lost and counted; Broadcast does
// not report them (it did not wait).
func TestPublishFailureLoggedAndCounted(t *testing.T) {
	const n = 20
	logs := &syncBuffer{}
	tr := &recordingTransport{fail: errors.New("transport down")}
	_, a := recordingServer(t, tr, &cluster.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	for i := range n {
		if err := a.Broadcast(t.Context(), emitPacket(i), server.BroadcastOptions{}); err != nil {
			t.Fatalf("Broadcast %d: %v", i, err)
		}
	}
	if err := a.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := a.LostBroadcasts(); got != n {
		t.Fatalf("LostBroadcasts %d, want %d", got, n)
	}
	if s := logs.String(); !strings.Contains(s, "lost=") || !strings.Contains(s, "transport down") {
		t.Fatalf("the loss is not logged:\n%s", s)
	}
}

// TestPublishQueueBounded: with a transport that does not answer, the queue
// holds PublishQueue broadcasts; the next Broadcast waits for room until
// its ctx ends, and fails with ctx's error.
func TestPublishQueueBounded(t *testing.T) {
	const bound = 8
	tr := &recordingTransport{gate: make(chan struct{})}
	_, a := recordingServer(t, tr, &cluster.Config{PublishQueue: bound})
	defer close(tr.gate)
	// At most bound+1 in the batch stuck in the transport (what the queue
	// held when the publish goroutine took it), bound in the queue.
	queued := 0
	for i := range 10 * bound {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		err := a.Broadcast(ctx, emitPacket(i), server.BroadcastOptions{})
		cancel()
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Broadcast on a full queue: %v, want a deadline error", err)
			}
			break
		}
		queued++
	}
	if queued > 2*bound+1 {
		t.Fatalf("%d broadcasts queued with PublishQueue %d", queued, bound)
	}
	if queued < bound {
		t.Fatalf("only %d broadcasts queued with PublishQueue %d", queued, bound)
	}
}
