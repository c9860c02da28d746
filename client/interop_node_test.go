//go:build interop && !js

package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/internal/nodetest"
)

// nodeServer starts interop/client/server.js and returns its URL.
func nodeServer(t *testing.T, env ...string) (*nodetest.Process, string) {
	t.Helper()
	p := nodetest.Start(t, "client/server.js", env)
	line := p.Expect(t, "listening ", waitTimeout)
	return p, "http://127.0.0.1:" + strings.TrimPrefix(line, "listening ")
}

var transportCases = []struct {
	name       string
	transports []string
	want       string // transport once settled
}{
	{"websocket", []string{"websocket"}, "websocket"},
	{"polling", []string{"polling"}, "polling"},
	{"upgrade", nil, "websocket"},
}

func TestNodeEmitAndAck(t *testing.T) {
	_, url := nodeServer(t)
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) {
			var welcome, echo <-chan *Event
			s := connectThen(url, &Options{Engine: engine.Options{Transports: tc.transports, Query: map[string][]string{"k": {"v"}}}, Socket: SocketOptions{Auth: map[string]any{"user": "go"}}}, func(s *Socket) {
				welcome, echo = events(s, "welcome"), events(s, "echo")
			})
			defer s.Manager().Close()
			e := recv(t, welcome, "welcome")
			var w struct {
				ID    string            `json:"id"`
				Auth  map[string]string `json:"auth"`
				Query map[string]string `json:"query"`
			}
			if err := e.Decode(&w); err != nil {
				t.Fatal(err)
			}
			if w.ID != s.ID() || w.Auth["user"] != "go" || w.Query["k"] != "v" || w.Query["EIO"] != "4" {
				t.Fatalf("welcome %+v, socket id %q", w, s.ID())
			}
			if !s.Connected() {
				t.Fatal("not connected after welcome")
			}

			// emit -> server echo event
			if err := s.Emit("echo", "hi", 42, map[string]any{"a": []any{1, "x"}}); err != nil {
				t.Fatal(err)
			}
			e = recv(t, echo, "echo")
			if got := fmt.Sprint(e.Args.All()); got != `[[34 104 105 34] [52 50] [123 34 97 34 58 91 49 44 34 120 34 93 125]]` {
				var vals []any
				vals, _ = e.Args.Values()
				t.Fatalf("echo args %v", vals)
			}

			// ack with binary, both ways
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			bin := []byte{0, 1, 2, 255}
			args, err := s.EmitWithAck(ctx, "ack", "bin", bin, map[string]any{"nested": []byte{9}})
			if err != nil {
				t.Fatal(err)
			}
			var str string
			var b []byte
			var nested struct{ Nested []byte }
			if err := args.Decode(0, &str); err != nil {
				t.Fatal(err)
			}
			if err := args.Decode(1, &b); err != nil {
				t.Fatal(err)
			}
			if err := args.Decode(2, &nested); err != nil {
				t.Fatal(err)
			}
			if str != "bin" || !bytes.Equal(b, bin) || !bytes.Equal(nested.Nested, []byte{9}) {
				t.Fatalf("ack %q %v %v", str, b, nested)
			}
			// binary event from the server
			if err := s.Emit("echo", bin); err != nil {
				t.Fatal(err)
			}
			e = recv(t, echo, "binary echo")
			if err := e.Decode(&b); err != nil || !bytes.Equal(b, bin) {
				t.Fatalf("binary echo %v %v", b, err)
			}

			// the server asks, the client acks (with binary)
			answers := events(s, "answer")
			s.On("question", func(e *Event) {
				var q string
				var qb []byte
				if err := e.Decode(&q, &qb); err != nil {
					t.Error(err)
				}
				if err := e.Ack(q+"!", qb); err != nil {
					t.Error(err)
				}
			})
			if err := s.Emit("ask", "why"); err != nil {
				t.Fatal(err)
			}
			e = recv(t, answers, "answer")
			var x any
			if err := e.Decode(&x); err != nil {
				t.Fatal(err)
			}
			ans, _ := x.([]any)
			if len(ans) != 2 || ans[0] != "why!" || fmt.Sprint(ans[1]) != "[1 2 3]" {
				t.Fatalf("answer %v", ans)
			}

			deadline := time.Now().Add(waitTimeout)
			for s.Manager().Transport() != tc.want && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if got := s.Manager().Transport(); got != tc.want {
				t.Fatalf("transport %q, want %q", got, tc.want)
			}
			// still works after the upgrade
			if _, err := s.EmitWithAck(ctx, "ack", 1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNodeNamespaces(t *testing.T) {
	_, url := nodeServer(t)
	m, err := NewManager(url, &Options{Engine: engine.Options{Transports: []string{"websocket"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	main := m.Socket("/", nil)
	admin := m.Socket("/admin", &SocketOptions{AuthFunc: func() any { return map[string]string{"token": "good"} }})
	chat := m.Socket("/chat", nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for _, s := range []*Socket{main, admin, chat} {
		args, err := s.EmitWithAck(ctx, "ack", s.Namespace())
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := args.Decode(0, &got); err != nil || got != s.Namespace() {
			t.Fatalf("%s: ack %q %v", s.Namespace(), got, err)
		}
	}
	if main.ID() == admin.ID() || admin.ID() == "" {
		t.Fatalf("ids %q %q", main.ID(), admin.ID())
	}
	// leaving one namespace keeps the others
	d := disconnected(chat)
	chat.Disconnect()
	if r := recv(t, d, "chat disconnect"); r != "io client disconnect" {
		t.Fatalf("reason %q", r)
	}
	if _, err := admin.EmitWithAck(ctx, "ack", 1); err != nil {
		t.Fatal(err)
	}
}

func TestNodeConnectError(t *testing.T) {
	_, url := nodeServer(t)
	var errs <-chan error
	s := connectThen(url+"/admin", &Options{Socket: SocketOptions{Auth: map[string]string{"token": "bad"}}}, func(s *Socket) { errs = connectErrors(s) })
	defer s.Manager().Close()
	err := recv(t, errs, "connect_error")
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Message != "not authorized" || string(ce.Data) != `{"reason":"bad token"}` {
		t.Fatalf("connect error %#v", err)
	}
	if s.Active() || s.Connected() {
		t.Fatal("socket still active after a refused connection")
	}
}

func TestNodeRooms(t *testing.T) {
	_, url := nodeServer(t)
	a := Connect(url, nil)
	defer a.Manager().Close()
	b := Connect(url, nil)
	defer b.Manager().Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	got := events(a, "broadcast")
	if _, err := a.EmitWithAck(ctx, "join", "r1"); err != nil {
		t.Fatal(err)
	}
	if err := b.Emit("to", "r1", "hello", []byte{7}); err != nil {
		t.Fatal(err)
	}
	e := recv(t, got, "broadcast")
	var s string
	var bin []byte
	if err := e.Decode(&s, &bin); err != nil || s != "hello" || !bytes.Equal(bin, []byte{7}) {
		t.Fatalf("broadcast %q %v %v", s, bin, err)
	}
}

func TestNodeServerDisconnect(t *testing.T) {
	_, url := nodeServer(t)
	var conn <-chan struct{}
	var d <-chan string
	s := connectThen(url, &Options{ReconnectionDelay: 50 * time.Millisecond}, func(s *Socket) { conn, d = connected(s), disconnected(s) })
	defer s.Manager().Close()
	recv(t, conn, "connect")
	if err := s.Emit("kick"); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, d, "disconnect"); r != "io server disconnect" {
		t.Fatalf("reason %q", r)
	}
	if s.Active() {
		t.Fatal("socket active after a server disconnect")
	}
	select {
	case <-conn:
		t.Fatal("reconnected after a server disconnect")
	case <-time.After(300 * time.Millisecond):
	}
}

func TestNodeTimeout(t *testing.T) {
	_, url := nodeServer(t)
	var conn <-chan struct{}
	s := connectThen(url, nil, func(s *Socket) { conn = connected(s) })
	defer s.Manager().Close()
	recv(t, conn, "connect")
	done := make(chan error, 1)
	start := time.Now()
	if err := s.Timeout(100*time.Millisecond).Emit("unanswered", 1, AckFunc(func(_ Args, err error) { done <- err })); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, done, "timeout"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Fatal("timed out early")
	}
	_, err := s.Timeout(50*time.Millisecond).EmitWithAck(context.Background(), "unanswered")
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("EmitWithAck: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "unanswered"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("EmitWithAck with ctx: %v", err)
	}
}

func TestNodeRetries(t *testing.T) {
	p, url := nodeServer(t)
	s := Connect(url, &Options{Socket: SocketOptions{Retries: 3, AckTimeout: 300 * time.Millisecond}})
	defer s.Manager().Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	args, err := s.EmitWithAck(ctx, "flaky", "x")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := args.Decode(0, &got); err != nil || got != "ok 2" {
		t.Fatalf("ack %q %v", got, err)
	}
	p.Expect(t, "flaky 1", waitTimeout)
	p.Expect(t, "flaky 2", waitTimeout)
}

func TestNodeReconnect(t *testing.T) {
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) {
			p, url := nodeServer(t)
			port := url[strings.LastIndex(url, ":")+1:]
			m, err := NewManager(url, &Options{Engine: engine.Options{Transports: tc.transports}, ReconnectionDelay: 100 * time.Millisecond, ReconnectionDelayMax: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			attempts := make(chan int, 100)
			reconnected := make(chan int, 1)
			m.OnReconnectAttempt(func(n int) { attempts <- n })
			m.OnReconnect(func(n int) { reconnected <- n })
			s := m.Socket("/", nil)
			conn := connected(s)
			d := disconnected(s)
			recv(t, conn, "connect")
			firstID := s.ID()
			if tc.want == "websocket" {
				deadline := time.Now().Add(waitTimeout)
				for m.Transport() != "websocket" && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
			}
			p.Kill()
			if r := recv(t, d, "disconnect"); r != "transport close" && r != "transport error" {
				t.Fatalf("reason %q", r)
			}
			for i := range 3 {
				if err := s.Emit("note", i); err != nil {
					t.Fatal(err)
				}
				if err := s.Volatile().Emit("note", "volatile"); err != nil { // dropped while disconnected
					t.Fatal(err)
				}
			}
			if n := recv(t, attempts, "reconnect attempt"); n != 1 {
				t.Fatalf("first attempt %d", n)
			}
			p2 := nodetest.Start(t, "client/server.js", []string{"PORT=" + port})
			p2.Expect(t, "listening "+port, waitTimeout)
			recv(t, reconnected, "reconnect")
			recv(t, conn, "reconnect connect")
			if s.ID() == firstID || s.ID() == "" {
				t.Fatalf("id %q after reconnection (was %q)", s.ID(), firstID)
			}
			for i := range 3 {
				p2.Expect(t, fmt.Sprintf("note / %d", i), waitTimeout)
			}
			// exactly once: a marker sent after must be the next note line
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			if _, err := s.EmitWithAck(ctx, "note", "end"); err != nil {
				t.Fatal(err)
			}
			if l := p2.Expect(t, "note ", waitTimeout); l != `note / "end"` {
				t.Fatalf("after the buffered notes: %q", l)
			}
		})
	}
}

func TestNodeRecovery(t *testing.T) {
	_, url := nodeServer(t, "RECOVERY=1")
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) { testNodeRecovery(t, url, tc.transports) })
	}
}

func testNodeRecovery(t *testing.T, url string, transports []string) {
	var conn <-chan struct{}
	var d <-chan string
	var missed <-chan *Event
	s := connectThen(url, &Options{Engine: engine.Options{Transports: transports}, ReconnectionDelay: 100 * time.Millisecond, ReconnectionDelayMax: 200 * time.Millisecond}, func(s *Socket) {
		conn, d, missed = connected(s), disconnected(s), events(s, "missed")
	})
	defer s.Manager().Close()
	recv(t, conn, "connect")
	if s.Recovered() {
		t.Fatal("recovered on the first connection")
	}
	id := s.ID()
	if err := s.Emit("cut", 3); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, d, "disconnect"); r != "transport close" {
		t.Fatalf("reason %q", r)
	}
	recv(t, conn, "reconnect")
	if n := len(conn); n != 0 {
		t.Fatalf("%d more connects", n)
	}
	if !s.Recovered() || s.ID() != id {
		t.Fatalf("recovered %v, id %q want %q", s.Recovered(), s.ID(), id)
	}
	for i := range 3 {
		e := recv(t, missed, "missed event")
		var n int
		var offset string
		if err := e.Decode(&n, &offset); err != nil || n != i || offset == "" {
			t.Fatalf("missed %d: %v %q %v", i, n, offset, err)
		}
	}
}

func TestNodeHeartbeat(t *testing.T) {
	_, url := nodeServer(t, "PING_INTERVAL=250", "PING_TIMEOUT=500")
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) {
			var d <-chan string
			var conn <-chan struct{}
			s := connectThen(url, &Options{Engine: engine.Options{Transports: tc.transports}}, func(s *Socket) { d, conn = disconnected(s), connected(s) })
			defer s.Manager().Close()
			recv(t, conn, "connect")
			select {
			case r := <-d:
				t.Fatalf("disconnected: %s", r)
			case <-time.After(1500 * time.Millisecond): // several ping intervals, more than interval + timeout
			}
			if !s.Connected() {
				t.Fatal("not connected")
			}
		})
	}
}

// TestNodeOrderDuringUpgrade: events emitted in bursts while the connection
// upgrades from polling to websocket all arrive, each once, in order.
func TestNodeOrderDuringUpgrade(t *testing.T) {
	_, url := nodeServer(t)
	for range 3 {
		var conn <-chan struct{}
		s := connectThen(url, nil, func(s *Socket) { conn = connected(s) })
		recv(t, conn, "connect")
		const n = 2000
		for i := range n {
			if err := s.Emit("seq", i); err != nil {
				t.Fatal(err)
			}
			if i%100 == 99 {
				time.Sleep(5 * time.Millisecond) // spread over the upgrade
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		args, err := s.EmitWithAck(ctx, "seq-end")
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Received, Bad int
			Transport     string
		}
		if err := args.Decode(0, &r); err != nil {
			t.Fatal(err)
		}
		if r.Received != n || r.Bad != 0 {
			t.Fatalf("server saw %+v, want %d in order", r, n)
		}
		t.Logf("%+v", r)
		s.Manager().Close()
	}
}

// TestNodeServerOrderDuringUpgrade: the server's events sent across the
// upgrade arrive once each, in order.
func TestNodeServerOrderDuringUpgrade(t *testing.T) {
	_, url := nodeServer(t)
	s := Connect(url, &Options{Socket: SocketOptions{NoAutoConnect: true}})
	defer s.Manager().Close()
	const n = 2000
	done := make(chan error, 1)
	next := 0
	s.On("b", func(e *Event) {
		var i int
		if err := e.Decode(&i); err != nil || i != next {
			select {
			case done <- fmt.Errorf("got %d (%v), want %d", i, err, next):
			default:
			}
		}
		next = i + 1
		if next == n {
			done <- nil
		}
	})
	s.OnConnect(func() { _ = s.Emit("burst", n) })
	s.Connect()
	if err := recv(t, done, "burst"); err != nil {
		t.Fatal(err)
	}
	if tr := s.Manager().Transport(); tr != "websocket" {
		t.Fatalf("transport %q", tr)
	}
}

// TestNodeManualReconnect: Disconnect then Connect again on the same socket.
func TestNodeManualReconnect(t *testing.T) {
	_, url := nodeServer(t)
	var conn <-chan struct{}
	var d <-chan string
	s := connectThen(url, nil, func(s *Socket) { conn, d = connected(s), disconnected(s) })
	defer s.Manager().Close()
	recv(t, conn, "connect")
	first := s.ID()
	s.Disconnect()
	if r := recv(t, d, "disconnect"); r != "io client disconnect" {
		t.Fatalf("reason %q", r)
	}
	if s.Connected() || s.Active() || s.Manager().Transport() != "" {
		t.Fatal("still connected after Disconnect")
	}
	s.Connect()
	recv(t, conn, "connect again")
	if s.ID() == first || !s.Connected() {
		t.Fatalf("id %q (first %q)", s.ID(), first)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "ack"); err != nil {
		t.Fatal(err)
	}
}

// TestNodeServerTransports: a polling-only server offers no upgrade; a
// websocket-only client cannot connect to it and reports connect errors.
func TestNodeServerTransports(t *testing.T) {
	_, url := nodeServer(t, "TRANSPORTS=polling")
	var conn <-chan struct{}
	s := connectThen(url, nil, func(s *Socket) { conn = connected(s) })
	defer s.Manager().Close()
	recv(t, conn, "connect")
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "ack"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // an upgrade would have happened by now
	if tr := s.Manager().Transport(); tr != "polling" {
		t.Fatalf("transport %q", tr)
	}

	ws := Connect(url, &Options{Engine: engine.Options{Transports: []string{"websocket"}}, ReconnectionDelay: 10 * time.Millisecond, ReconnectionAttempts: 2, Socket: SocketOptions{NoAutoConnect: true}})
	defer ws.Manager().Close()
	failed := make(chan struct{}, 1)
	ws.Manager().OnReconnectFailed(func() { failed <- struct{}{} })
	errs := connectErrors(ws)
	ws.Connect()
	for range 3 {
		if err := recv(t, errs, "connect error"); err == nil {
			t.Fatal("nil connect error")
		}
	}
	recv(t, failed, "reconnect failed")
}
