package server

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// waitFor polls cond until it holds (a bound for hangs, not a timing check).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// adapterEmpty reports what the memory adapter of n still holds.
func adapterLeft(n *Namespace) string {
	a := n.Adapter().(*MemoryAdapter)
	a.mu.RLock()
	defer a.mu.RUnlock()
	if len(a.rooms)+len(a.all) == 0 {
		return ""
	}
	return fmt.Sprintf("%d rooms, %d sockets", len(a.rooms), len(a.all))
}

func namespaceLeft(n *Namespace) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if len(n.sockets)+len(n.pre) == 0 {
		return ""
	}
	return fmt.Sprintf("%d sockets, %d connecting", len(n.sockets), len(n.pre))
}

// TestNothingLeftAfterDisconnect connects 500 sockets (two namespaces each
// for some), puts them in rooms with pending acks, disconnects them by every
// path and checks that nothing per socket is left: rooms, socket maps, acks,
// timers, and (with recovery) the kept sessions once they expire.
//
// It runs in a synctest bubble: the sessions expire 50 ms after they are
// kept, and on a loaded machine more than 50 ms of real time could pass
// between the disconnections and the check that sessions are kept (the
// prune timer then dropped them all first). In the bubble the clock moves
// only when every goroutine of the test waits, so the sessions are there
// until the test waits for the timer to drop them.
func TestNothingLeftAfterDisconnect(t *testing.T) {
	for _, recovery := range []bool{false, true} {
		t.Run(fmt.Sprint("recovery=", recovery), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var opts *Options
				if recovery {
					opts = &Options{ConnectionStateRecovery: &RecoveryOptions{MaxDisconnectionDuration: 50 * time.Millisecond}}
				}
				srv := newServer(t, opts)
				var acksFailed, disconnects atomic.Int64
				connectHandler := func(s *Socket) {
					s.Join("shared", "room-"+s.ID()[:2])
					s.OnDisconnect(func(string) { disconnects.Add(1) })
					// An ack that would wait an hour, and one without timeout.
					for _, d := range []time.Duration{time.Hour, 0} {
						_ = s.Timeout(d).Emit("q", AckFunc(func(_ Args, err error) {
							if errors.Is(err, ErrDisconnected) {
								acksFailed.Add(1)
							}
						}))
					}
				}
				srv.OnConnection(connectHandler)
				srv.Of("/b").OnConnection(connectHandler)
				const n = 500
				clients := make([]*fakeClient, n)
				sockets := 0
				for i := range n {
					f := dial(srv)
					f.connect(t, "0")
					sockets++
					if i%5 == 0 {
						f.connect(t, "0/b,")
						sockets++
					}
					clients[i] = f
				}
				if got := len(srv.Sockets()); got != n {
					t.Fatalf("%d sockets connected, want %d", got, n)
				}
				// Every disconnect path, in turn.
				paths := []func(f *fakeClient){
					func(f *fakeClient) { f.in("1"); f.in("1/b,") },                         // client namespace disconnect
					func(f *fakeClient) { disconnectAllOf(f, false) },                       // server namespace disconnect
					func(f *fakeClient) { disconnectAllOf(f, true) },                        // and close
					func(f *fakeClient) { f.c.OnClose("transport close", nil) },             // the engine closed
					func(f *fakeClient) { f.c.OnClose("ping timeout", nil) },                // the engine closed
					func(f *fakeClient) { f.in(`2[]`) },                                     // undecodable: forced close
					func(f *fakeClient) { f.in("0") },                                       // CONNECT twice
					func(f *fakeClient) { f.c.close(reasonForcedServerClose) },              // forced server close
					func(f *fakeClient) { f.c.OnClose("server shutting down", nil) },        // shutdown
					func(f *fakeClient) { f.c.OnClose("transport error", errors.New("x")) }, // the engine failed
				}
				for i, f := range clients {
					paths[i%len(paths)](f)
				}
				for i, f := range clients {
					f.c.mu.Lock()
					armed := f.c.timer != nil && f.c.timer.Stop()
					f.c.mu.Unlock()
					if armed {
						t.Fatalf("client %d: connect timer still armed", i)
					}
					if len(f.c.snapshot()) != 0 || len(f.c.pending) != 0 {
						t.Fatalf("client %d: sockets left", i)
					}
					// Paths that keep the session open must leave no namespace.
					if i%len(paths) < 2 && f.closedWith() != "" {
						t.Fatalf("client %d closed with %q", i, f.closedWith())
					}
				}
				for _, name := range []string{"/", "/b"} {
					nsp := srv.Of(name)
					if left := adapterLeft(nsp); left != "" {
						t.Errorf("%s adapter keeps %s", name, left)
					}
					if left := namespaceLeft(nsp); left != "" {
						t.Errorf("%s keeps %s", name, left)
					}
				}
				if got := disconnects.Load(); got != int64(sockets) {
					t.Errorf("%d disconnect handlers ran, want %d", got, sockets)
				}
				if got := acksFailed.Load(); got != int64(2*sockets) {
					t.Errorf("%d pending acks failed with ErrDisconnected, want %d", got, 2*sockets)
				}
				if recovery {
					a := srv.Of("/").Adapter().(*MemoryAdapter)
					if sessions, _, _ := a.recoveryState(); sessions == 0 {
						t.Fatal("no session kept for recovery")
					}
					// Nobody comes back: the timer drops every session and packet,
					// then stops.
					waitFor(t, "recovery state pruned", func() bool {
						sessions, packets, timer := a.recoveryState()
						return sessions == 0 && packets == 0 && !timer
					})
				}
			})
		})
	}
}

func disconnectAllOf(f *fakeClient, close bool) {
	for _, s := range f.c.snapshot() {
		s.Disconnect(close)
	}
}

func TestRecoveryBufferPrunedByTimer(t *testing.T) {
	srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{MaxDisconnectionDuration: 30 * time.Millisecond}})
	f := dial(srv)
	f.connect(t, "0")
	for range 3 {
		_ = srv.Emit("e")
	}
	a := srv.Of("/").Adapter().(*MemoryAdapter)
	if _, packets, timer := a.recoveryState(); packets != 3 || !timer {
		t.Fatalf("%d packets kept, timer %v", packets, timer)
	}
	// No more emits, no more connections: only the timer can prune.
	waitFor(t, "packets pruned", func() bool {
		_, packets, timer := a.recoveryState()
		return packets == 0 && !timer
	})
}

func TestRecoveryBufferBounded(t *testing.T) {
	srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{MaxBufferedPackets: 3}})
	f := dial(srv)
	f.connect(t, "0")
	var offsets []string
	for i := range 5 {
		_ = srv.Emit("e", i)
		offsets = append(offsets, offsetRe.FindStringSubmatch(f.waitSent(t, "2"))[1])
	}
	a := srv.Of("/").Adapter().(*MemoryAdapter)
	if _, packets, _ := a.recoveryState(); packets != 3 {
		t.Fatalf("%d packets kept, want 3", packets)
	}
	s := onlySocket(t, srv.Of("/"))
	sid, pid := s.ID(), s.pid
	f.c.OnClose("transport close", nil)
	// The last packet the client got was dropped: no recovery.
	g := dial(srv)
	g.in(fmt.Sprintf(`0{"pid":%q,"offset":%q}`, pid, offsets[0]))
	if got, _ := connectReplyOf(t, g.waitSent(t, "0"), "0"); got == sid {
		t.Fatal("recovered from a dropped offset")
	}
	// A kept one recovers (the failed attempt above did not consume the
	// session: the reference only deletes it on success).
	h := dial(srv)
	h.in(fmt.Sprintf(`0{"pid":%q,"offset":%q}`, pid, offsets[3]))
	if got, _ := connectReplyOf(t, h.waitSent(t, "0{"), "0"); got != sid {
		t.Fatal("not recovered from a kept offset")
	}
}

func TestCloseStopsRecoveryTimer(t *testing.T) {
	srv := New(&Options{ConnectionStateRecovery: &RecoveryOptions{}})
	f := dial(srv)
	f.connect(t, "0")
	_ = srv.Emit("e")
	a := srv.Of("/").Adapter().(*MemoryAdapter)
	if _, _, timer := a.recoveryState(); !timer {
		t.Fatal("no prune timer while packets are kept")
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sessions, packets, timer := a.recoveryState(); sessions+packets != 0 || timer {
		t.Fatalf("after Close: %d sessions, %d packets, timer %v", sessions, packets, timer)
	}
	if err := srv.Close(context.Background()); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCleanupEmptyChildNamespaces(t *testing.T) {
	for _, cleanup := range []bool{false, true} {
		t.Run(fmt.Sprint("cleanup=", cleanup), func(t *testing.T) {
			srv := newServer(t, &Options{CleanupEmptyChildNamespaces: cleanup})
			parent := srv.OfRegexp(regexp.MustCompile(`^/dyn-\d+$`))
			srv.Of("/static") // not a child: never removed
			f, g := dial(srv), dial(srv)
			f.connect(t, "0/dyn-1,")
			g.connect(t, "0/dyn-1,")
			f.connect(t, "0/static,")
			first := parent.Children()
			if len(first) != 1 {
				t.Fatalf("%d children", len(first))
			}
			f.in("1/dyn-1,")
			if len(parent.Children()) != 1 {
				t.Fatal("child removed while a socket is connected")
			}
			g.c.OnClose("transport close", nil)
			f.in("1/static,")
			srv.mu.Lock()
			_, kept := srv.nsps["/dyn-1"]
			_, static := srv.nsps["/static"]
			srv.mu.Unlock()
			if kept == cleanup || len(parent.Children()) == 0 == !cleanup || !static {
				t.Fatalf("cleanup=%v: child kept=%v children=%d static=%v", cleanup, kept, len(parent.Children()), static)
			}
			// A new client gets the namespace again.
			h := dial(srv)
			h.connect(t, "0/dyn-1,")
			children := parent.Children()
			if len(children) != 1 || (children[0] == first[0]) == cleanup || len(children[0].Sockets()) != 1 {
				t.Fatalf("cleanup=%v: children after reconnect %v (first %p)", cleanup, children, first[0])
			}
		})
	}
}

func TestCleanupRacesWithConnect(t *testing.T) {
	// A client that looked the child up just before it was removed connects
	// to a new one.
	srv := newServer(t, &Options{CleanupEmptyChildNamespaces: true})
	parent := srv.OfRegexp(regexp.MustCompile(`^/dyn$`))
	f := dial(srv)
	f.connect(t, "0/dyn,")
	old := parent.Children()[0]
	f.in("1/dyn,")
	if len(parent.Children()) != 0 {
		t.Fatal("not removed")
	}
	g := dial(srv)
	g.c.mu.Lock()
	g.c.pending = append(g.c.pending, pendingConn{name: "/dyn"})
	g.c.mu.Unlock()
	old.connect(g.c, nil) // as if namespaceFor had returned the old one
	g.waitSent(t, `0/dyn,{"sid":`)
	if cs := parent.Children(); len(cs) != 1 || cs[0] == old || len(cs[0].Sockets()) != 1 {
		t.Fatalf("children %v", cs)
	}
	g.c.mu.Lock()
	pending := len(g.c.pending)
	g.c.mu.Unlock()
	if pending != 0 {
		t.Fatalf("%d namespace connections still pending", pending)
	}
}

func TestClosedWhileInMiddleware(t *testing.T) {
	// A client that goes away while a namespace middleware has not answered
	// leaves nothing behind, even if the middleware answers later or never.
	srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{}})
	nexts := make(chan func(error), 2)
	srv.Use(func(s *Socket, next func(error)) { nexts <- next })
	connected := make(chan struct{}, 1)
	srv.OnConnection(func(*Socket) { connected <- struct{}{} })
	for _, late := range []bool{false, true} {
		f := dial(srv)
		f.in("0")
		next := <-nexts
		if left := namespaceLeft(srv.Of("/")); left != "1 sockets, 1 connecting" && left != "0 sockets, 1 connecting" {
			t.Fatalf("while in the middleware: %q", left)
		}
		f.c.OnClose("transport close", nil)
		if left := namespaceLeft(srv.Of("/")); left != "" {
			t.Fatalf("late=%v: namespace keeps %s", late, left)
		}
		if late {
			next(nil)
		}
		if left := adapterLeft(srv.Of("/")); left != "" {
			t.Fatalf("late=%v: adapter keeps %s", late, left)
		}
		if got := f.take(); len(got) != 0 {
			t.Fatalf("sent %q", got)
		}
	}
	select {
	case <-connected:
		t.Fatal("connection handler ran for a closed client")
	default:
	}
}

func TestCleanupConcurrent(t *testing.T) {
	srv := newServer(t, &Options{CleanupEmptyChildNamespaces: true})
	parent := srv.OfRegexp(regexp.MustCompile(`^/dyn-\d$`))
	var connects atomic.Int64
	parent.OnConnection(func(*Socket) { connects.Add(1) })
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 50 {
				f := dial(srv)
				nsp := fmt.Sprintf("/dyn-%d", (g+i)%3)
				f.in("0" + nsp + ",")
				if i%2 == 0 {
					f.in("1" + nsp + ",")
				} else {
					f.c.OnClose("transport close", nil)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	if got := connects.Load(); got != 400 {
		t.Fatalf("%d connections, want 400", got)
	}
	srv.mu.Lock()
	n := len(srv.nsps)
	srv.mu.Unlock()
	if cs := parent.Children(); len(cs) != 0 || n != 1 {
		t.Fatalf("%d children, %d namespaces left (want only /)", len(cs), n)
	}
}
