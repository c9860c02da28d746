//go:build !js

package server

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wire counts what a test's raw clients wrote and read (Engine.IO packets
// with data, minus the open packets and the engine's own noops).
type wire struct {
	packetsIn, bytesIn   atomic.Int64 // from the clients
	packetsOut, bytesOut atomic.Int64 // to the clients
}

// wrote records an Engine.IO packet a client sent.
func (w *wire) wrote(pkt string) {
	w.packetsIn.Add(1)
	w.bytesIn.Add(int64(len(pkt) - 1))
}

// read records an Engine.IO packet a client received (the open packet and
// noops are the engine's own).
func (w *wire) read(pkt string) {
	if pkt == "" || pkt[0] == '0' || pkt[0] == '6' {
		return
	}
	w.packetsOut.Add(1)
	w.bytesOut.Add(int64(len(pkt) - 1))
}

// rawWS is a websocket client writing Engine.IO packets by hand; a goroutine
// reads every message (ended when the connection closes).
type rawWS struct {
	t    *testing.T
	c    *websocket.Conn
	w    *wire
	msgs chan string
	done chan struct{}
}

func dialRawWS(t *testing.T, base string, w *wire) *rawWS {
	t.Helper()
	url := "ws" + strings.TrimPrefix(base, "http") + "/socket.io/?EIO=4&transport=websocket"
	c, _, err := websocket.Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rawWS{t: t, c: c, w: w, msgs: make(chan string, 100), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			w.read(string(b))
			select {
			case r.msgs <- string(b):
			default:
			}
		}
	}()
	t.Cleanup(func() { c.CloseNow(); <-r.done })
	r.expect("0{")
	return r
}

func (r *rawWS) send(pkt string) {
	r.t.Helper()
	r.w.wrote(pkt)
	if err := r.c.Write(context.Background(), websocket.MessageText, []byte(pkt)); err != nil {
		r.t.Fatal(err)
	}
}

// expect waits for a message starting with prefix (skipping others).
func (r *rawWS) expect(prefix string) string {
	r.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case m := <-r.msgs:
			if strings.HasPrefix(m, prefix) {
				return m
			}
		case <-timeout:
			r.t.Fatalf("no message %q", prefix)
		}
	}
}

// waitStats polls srv.Stats until ok accepts it.
func waitStats(t *testing.T, srv *Server, ok func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := srv.Stats()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats never reached the expected state: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStatsScripted runs clients that do known things and checks that every
// counter of Server.Stats says what they did.
func TestStatsScripted(t *testing.T) {
	var w wire
	base, srv := startServer(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) {
			s.On("join", func(e *Event) {
				var room string
				_ = e.Decode(&room)
				s.Join(room)
			})
			s.On("chat", func(e *Event) {
				_ = s.Broadcast().Emit("chat", e.Args)
				_ = e.Ack("ok")
			})
		})
		srv.Of("/chat").Use(func(s *Socket, next func(error)) { next(errors.New("no")) })
	})

	// Client 3 connects and leaves its namespace, then closes.
	c3 := dialRawWS(t, base, &w)
	c3.send("40")
	c3.expect("40{")
	c3.send("41")
	waitStats(t, srv, func(st Stats) bool { return st.Disconnected["client namespace disconnect"] == 1 })
	c3.c.Close(websocket.StatusNormalClosure, "")
	<-c3.done

	c1, c2 := dialRawWS(t, base, &w), dialRawWS(t, base, &w)
	c1.send("40")
	c1.expect("40{")
	c2.send("40")
	c2connect := c2.expect("40{")
	c1.send("40/chat,")
	c1.expect("44/chat,")
	c1.send(`42["join","r1"]`)
	c2.send(`420["join","r1"]`)
	for i := range 3 {
		c1.send(`42` + string(rune('1'+i)) + `["chat","hi"]`)
		c1.expect("43" + string(rune('1'+i)))
	}
	for i := range 2 {
		c2.send(`42` + string(rune('5'+i)) + `["chat","yo"]`)
		c2.expect("43" + string(rune('5'+i)))
	}

	// A polling client connects and closes.
	p := openPoll(t, base)
	pw := func(body string) { w.wrote(body); p.post(body) }
	pw("40")
	_, body := p.get()
	for _, pkt := range strings.Split(body, "\x1e") {
		w.read(pkt)
	}
	if !strings.HasPrefix(body, "40{") {
		t.Fatalf("polling connect: %q", body)
	}
	pw("1")

	// Acks from the server to c2: one times out, one stays pending.
	s2, ok := srv.Of("/").Socket(sidOf(t, c2connect))
	if !ok {
		t.Fatal("no socket for c2")
	}
	timedOut := make(chan error, 1)
	_ = s2.Timeout(50*time.Millisecond).Emit("q", AckFunc(func(_ Args, err error) { timedOut <- err }))
	if err := <-timedOut; !errors.Is(err, ErrTimeout) {
		t.Fatalf("ack: %v", err)
	}
	_ = s2.Timeout(time.Hour).Emit("q2", AckFunc(func(Args, error) {}))
	if _, err := srv.FetchSockets(context.Background()); err != nil {
		t.Fatal(err)
	}

	st := waitStats(t, srv, func(st Stats) bool {
		return st.Engine.PacketsOut == w.packetsOut.Load() && st.Engine.BytesOut == w.bytesOut.Load() &&
			st.Engine.ClosedPolling == 1
	})
	e := st.Engine
	check := func(name string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	check("Engine.AcceptedWebsocket", e.AcceptedWebsocket, 3)
	check("Engine.AcceptedPolling", e.AcceptedPolling, 1)
	check("Engine.ClosedWebsocket", e.ClosedWebsocket, 1)
	check("Engine.ClosedPolling", e.ClosedPolling, 1)
	check("Engine.OpenWebsocket", e.OpenWebsocket, 2)
	check("Engine.OpenPolling", e.OpenPolling, 0)
	check("Engine.Closed[transport close]", e.Closed["transport close"], 2)
	check("Engine.Upgrades", e.Upgrades, 0)
	check("Engine.PacketsIn", e.PacketsIn, w.packetsIn.Load())
	check("Engine.BytesIn", e.BytesIn, w.bytesIn.Load())
	check("Engine.QueueFull", e.QueueFull, 0)
	check("Engine.VolatileDropped", e.VolatileDropped, 0)
	check("Connected", st.Connected, 4)
	check("ConnectRefused", st.ConnectRefused, 1)
	check("Disconnected[client namespace disconnect]", st.Disconnected["client namespace disconnect"], 1)
	check("Disconnected[transport close]", st.Disconnected["transport close"], 1)
	check("EventsOther", st.EventsOther, 0)
	check("EventsIn", st.EventsIn, 7)
	// Timed: the 1st (and 9th, ...) event of each name.
	check("HandlerDuration.Count", st.HandlerDuration.Count, 2)
	var inBuckets int64
	for _, n := range st.HandlerDuration.Counts {
		inBuckets += n
	}
	check("sum of HandlerDuration.Counts", inBuckets, 2)
	if len(st.Events) != 2 || st.Events[0] != (EventCount{"chat", 5}) || st.Events[1] != (EventCount{"join", 2}) {
		t.Errorf("Events = %v, want chat 5, join 2", st.Events)
	}
	check("AcksTimedOut", st.AcksTimedOut, 1)
	check("AcksPending", st.AcksPending, 1)
	check("Adapter[broadcast].Requests", st.Adapter["broadcast"].Requests, 5)
	check("Adapter[fetch_sockets].Requests", st.Adapter["fetch_sockets"].Requests, 1)
	check("Adapter[broadcast].Errors", st.Adapter["broadcast"].Errors, 0)
	want := []NamespaceStats{{Name: "/", Sockets: 2, Rooms: 1, LostBroadcasts: -1}, {Name: "/chat", Sockets: 0, Rooms: 0, LostBroadcasts: -1}}
	if len(st.Namespaces) != 2 || st.Namespaces[0] != want[0] || st.Namespaces[1] != want[1] {
		t.Errorf("Namespaces = %+v, want %+v", st.Namespaces, want)
	}
}

// sidOf returns the socket id of a CONNECT reply (`40{"sid":"..."}`).
func sidOf(t *testing.T, reply string) string {
	t.Helper()
	var v struct{ SID string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(reply, "40")), &v); err != nil || v.SID == "" {
		t.Fatalf("connect reply %q: %v", reply, err)
	}
	return v.SID
}

// TestStatsUpgrade: a polling session upgraded to websocket counts as
// accepted on polling, open on websocket, and closes on websocket.
func TestStatsUpgrade(t *testing.T) {
	base, srv := startServer(t, nil, nil)
	p := openPoll(t, base)
	p.post("40")
	if _, body := p.get(); !strings.HasPrefix(body, "40{") {
		t.Fatalf("connect: %q", body)
	}
	sid := p.url[strings.LastIndex(p.url, "sid=")+len("sid="):]
	url := "ws" + strings.TrimPrefix(base, "http") + "/socket.io/?EIO=4&transport=websocket&sid=" + sid
	c, _, err := websocket.Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte("2probe")); err != nil {
		t.Fatal(err)
	}
	if _, m, err := c.Read(ctx); err != nil || string(m) != "3probe" {
		t.Fatalf("probe: %q %v", m, err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("5")); err != nil {
		t.Fatal(err)
	}
	st := waitStats(t, srv, func(st Stats) bool { return st.Engine.Upgrades == 1 })
	if e := st.Engine; e.AcceptedPolling != 1 || e.OpenPolling != 0 || e.OpenWebsocket != 1 {
		t.Errorf("after the upgrade: %+v", e)
	}
	c.Close(websocket.StatusNormalClosure, "")
	st = waitStats(t, srv, func(st Stats) bool { return st.Engine.ClosedWebsocket == 1 })
	if e := st.Engine; e.OpenWebsocket != 0 || e.ClosedPolling != 0 || e.Closed["transport close"] != 1 {
		t.Errorf("after the close: %+v", e)
	}
}
