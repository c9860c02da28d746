//go:build !js

package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/engine"
)

// countConn is a session that only counts what it is given.
type countConn struct{ n atomic.Int64 }

func (c *countConn) Send(pkts ...eio.Packet) error        { c.n.Add(int64(len(pkts))); return nil }
func (c *countConn) SendVolatile(pkts ...eio.Packet) bool { c.n.Add(int64(len(pkts))); return true }
func (c *countConn) Close(string)                         {}

func connectCount(b *testing.B, srv *Server, n int) *countConn {
	cc := &countConn{}
	for range n {
		c := srv.newClient(cc, &requestInfo{Time: time.Now()})
		c.OnMessage(eio.TextMessage([]byte("0")))
	}
	if got := len(srv.Sockets()); got != n {
		b.Fatalf("%d sockets", got)
	}
	return cc
}

// reportPerDelivery reports ns and allocations per delivered message.
func reportPerDelivery(b *testing.B, recipients int, run func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		run()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	deliveries := float64(b.N) * float64(recipients)
	b.ReportMetric(float64(elapsed.Nanoseconds())/deliveries, "ns/delivery")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/deliveries, "allocs/delivery")
}

// BenchmarkBroadcast measures a broadcast to 1000 sockets: one encoding, then
// one Send per recipient.
func BenchmarkBroadcast(b *testing.B) {
	b.Run("fake-sessions-1000", func(b *testing.B) {
		srv := newServer(b, nil)
		connectCount(b, srv, 1000)
		b.ReportAllocs()
		reportPerDelivery(b, 1000, func() { _ = srv.Emit("news", "hello", 42) })
	})
	b.Run("fake-sessions-1000-room", func(b *testing.B) {
		srv := newServer(b, nil)
		connectCount(b, srv, 1000)
		_ = srv.SocketsJoin("room")
		b.ReportAllocs()
		reportPerDelivery(b, 1000, func() { _ = srv.To("room").Emit("news", "hello", 42) })
	})
	b.Run("fake-sessions-1000-recovery", func(b *testing.B) {
		// Every broadcast is numbered and kept (bounded buffer).
		srv := newServer(b, &Options{ConnectionStateRecovery: &RecoveryOptions{}})
		connectCount(b, srv, 1000)
		b.ReportAllocs()
		reportPerDelivery(b, 1000, func() { _ = srv.Emit("news", "hello", 42) })
	})
	b.Run("websocket-sessions-200", func(b *testing.B) {
		const n = 200
		srv := New(&Options{Engine: engine.Options{MaxQueuedPackets: 1 << 20}})
		ts := httptest.NewServer(srv)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var received atomic.Int64
		conns := make([]*websocket.Conn, n)
		for i := range n {
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
			if err != nil {
				b.Fatal(err)
			}
			conns[i] = c
			_, _, _ = c.Read(ctx) // open
			_ = c.Write(ctx, websocket.MessageText, []byte("40"))
			_, _, _ = c.Read(ctx) // CONNECT reply
			wg.Go(func() {
				for {
					_, data, err := c.Read(ctx)
					if err != nil {
						return
					}
					if len(data) > 0 && data[0] == '2' && len(data) == 1 { // ping
						_ = c.Write(ctx, websocket.MessageText, []byte("3"))
						continue
					}
					received.Add(1)
				}
			})
		}
		b.Cleanup(func() {
			cancel()
			for _, c := range conns {
				c.CloseNow()
			}
			wg.Wait()
			cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer ccancel()
			_ = srv.Close(cctx)
			ts.Close()
			http.DefaultClient.CloseIdleConnections()
		})
		b.ReportAllocs()
		var sent int64
		reportPerDelivery(b, n, func() {
			_ = srv.Emit("news", "hello", 42)
			sent += n
			// Bound the backlog so that the measure includes the writes.
			for received.Load() < sent-10*n {
				runtime.Gosched()
			}
		})
		for deadline := time.Now().Add(10 * time.Second); received.Load() < sent && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	})
}

// BenchmarkDispatchEvent measures one incoming event with an ack id: decode,
// dispatch to a handler, ack encoded and sent.
func BenchmarkDispatchEvent(b *testing.B) {
	srv := newServer(b, nil)
	srv.OnConnection(func(s *Socket) {
		s.On("msg", func(e *Event) {
			var v struct {
				Text string `json:"text"`
				N    int    `json:"n"`
			}
			_ = e.Args.Decode(0, &v)
			_ = e.Ack(v.N + 1)
		})
	})
	cc := &countConn{}
	c := srv.newClient(cc, &requestInfo{Time: time.Now()})
	c.OnMessage(eio.TextMessage([]byte("0")))
	msg := []byte(`212["msg",{"text":"hello world","n":41}]`)
	b.ReportAllocs()
	for b.Loop() {
		c.OnMessage(eio.TextMessage(msg))
	}
	if cc.n.Load() < int64(b.N) {
		b.Fatal("acks not sent")
	}
}

// BenchmarkEchoAck measures one echo round trip as the bench contract's
// handler does it: an event with an ack id and two arguments, acked with
// the same arguments (AckArgs: verbatim; Ack: each raw argument boxed).
func BenchmarkEchoAck(b *testing.B) {
	for _, tc := range []struct {
		name string
		h    EventHandler
	}{
		{"AckArgs", func(e *Event) { _ = e.AckArgs(e.Args) }},
		{"Ack-boxed", func(e *Event) {
			raw := e.Args.All()
			args := make([]any, len(raw))
			for i, r := range raw {
				args[i] = r
			}
			_ = e.Ack(args...)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := newServer(b, nil)
			srv.OnConnection(func(s *Socket) { s.On("echo", tc.h) })
			cc := &countConn{}
			c := srv.newClient(cc, &requestInfo{Time: time.Now()})
			c.OnMessage(eio.TextMessage([]byte("0")))
			msg := []byte(`2123["echo","abcdefghijklmnopqrstuvwxyz012345",42]`) // as bench/loadgen sends it
			b.ReportAllocs()
			for b.Loop() {
				c.OnMessage(eio.TextMessage(msg))
			}
			if cc.n.Load() < int64(b.N) {
				b.Fatal("acks not sent")
			}
		})
	}
}

// BenchmarkConnect measures the Socket.IO part of a connection (fake
// session): the client, the namespace CONNECT and the socket with the bench
// contract's three handlers. heap-B/socket is what each idle socket keeps
// (live heap after a GC, divided by the sockets still connected).
func BenchmarkConnect(b *testing.B) {
	srv := newServer(b, nil)
	h := func(*Event) {}
	srv.OnConnection(func(s *Socket) {
		s.On("echo", h)
		s.On("join", h)
		s.On("bcast", h)
	})
	cc := &countConn{}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	clients := make([]*client, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		c := srv.newClient(cc, &requestInfo{Time: time.Now()})
		c.OnMessage(eio.TextMessage([]byte("0")))
		clients = append(clients, c)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(clients)), "heap-B/socket")
	for _, c := range clients {
		c.OnClose("transport close", nil)
	}
	if n := len(srv.Sockets()); n != 0 {
		b.Fatalf("%d sockets left", n)
	}
}

// BenchmarkSocketEmit measures an emit to one socket (no ack): encoded and
// queued on its session.
func BenchmarkSocketEmit(b *testing.B) {
	srv := newServer(b, nil)
	cc := connectCount(b, srv, 1)
	s := srv.Sockets()[0]
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Emit("news", "hello", 42); err != nil {
			b.Fatal(err)
		}
	}
	if cc.n.Load() < int64(b.N) {
		b.Fatal("not sent")
	}
}
