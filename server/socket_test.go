package server

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

func TestConnectReply(t *testing.T) {
	srv := newServer(t, nil)
	f := dial(srv)
	f.in("0")
	reply := f.waitSent(t, "0")
	var r map[string]string
	if err := json.Unmarshal([]byte(reply[1:]), &r); err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || len(r["sid"]) != 20 {
		t.Fatalf("reply %q: want only a 20-char sid", reply)
	}
	s := onlySocket(t, srv.Of("/"))
	if s.ID() != r["sid"] || !s.Connected() || s.Recovered() {
		t.Fatalf("socket %s connected=%v recovered=%v", s.ID(), s.Connected(), s.Recovered())
	}
	if string(s.Handshake().Auth) != "{}" || s.Handshake().Address != "127.0.0.1" {
		t.Fatalf("handshake %+v", s.Handshake())
	}
	if got := s.Rooms(); !slices.Equal(got, []string{s.ID()}) {
		t.Fatalf("rooms %q", got)
	}
}

func TestConnectionHandlerEmitsAfterReply(t *testing.T) {
	srv := newServer(t, nil)
	srv.Of("/admin").OnConnection(func(s *Socket) { _ = s.Emit("hi", 1) })
	f := dial(srv)
	f.in(`0/admin,{"token":"x"}`)
	got := f.take()
	if len(got) != 2 || !strings.HasPrefix(got[0], `0/admin,{"sid":"`) || got[1] != `2/admin,["hi",1]` {
		t.Fatalf("sent %q", got)
	}
	s := onlySocket(t, srv.Of("/admin"))
	if string(s.Handshake().Auth) != `{"token":"x"}` {
		t.Fatalf("auth %s", s.Handshake().Auth)
	}
}

func TestConnectErrorWithoutData(t *testing.T) {
	srv := newServer(t, nil)
	srv.Use(func(s *Socket, next func(error)) { next(errors.New("nope <&>")) })
	f := dial(srv)
	f.in("0")
	if got := f.take(); !slices.Equal(got, []string{`4{"message":"nope <&>"}`}) {
		t.Fatalf("sent %q", got)
	}
	if len(srv.Sockets()) != 0 || f.closedWith() != "" {
		t.Fatal("refused socket kept or session closed")
	}
	// The client may try again.
	f.in("0")
	f.waitSent(t, `4{"message"`)
}

func TestAsyncMiddlewareEventTooEarly(t *testing.T) {
	srv := newServer(t, nil)
	release := make(chan struct{})
	done := make(chan struct{})
	srv.Use(func(s *Socket, next func(error)) {
		go func() {
			defer close(done)
			<-release
			next(nil)
		}()
	})
	f := dial(srv)
	f.in("0", `2["early"]`) // the reference closes too
	close(release)
	<-done
	if got := f.closedWith(); got != "forced server close" {
		t.Fatalf("closed with %q", got)
	}
	if len(srv.Sockets()) != 0 {
		t.Fatal("socket connected after the session closed")
	}
}

func TestEventsAndAcks(t *testing.T) {
	srv := newServer(t, nil)
	var order []string
	srv.OnConnection(func(s *Socket) {
		s.OnAny(func(e *Event) { order = append(order, "any:"+e.Name) })
		s.On("x", func(e *Event) { order = append(order, "x") })
		s.Once("x", func(e *Event) { order = append(order, "once") })
		s.On("ack", func(e *Event) {
			if !e.HasAck() {
				t.Error("no ack requested")
			}
			_ = e.Ack([]byte{1}, map[string]any{"b": []byte{2}})
		})
		s.On("noack", func(e *Event) {
			if err := e.Ack(); !errors.Is(err, ErrNoAck) {
				t.Errorf("Ack without id: %v", err)
			}
		})
		s.On("off", func(e *Event) { t.Error("handler not removed") })
		s.Off("off")
		On(s, "typed", func(e *Event, v struct{ N int }) { order = append(order, "typed:"+string(rune('0'+v.N))) })
	})
	f := dial(srv)
	f.connect(t, "0")
	f.in(`2["x"]`, `2["x"]`, `2["off"]`, `2["noack"]`, `2["typed",{"N":7}]`, `2["typed","bad"]`, `27["ack"]`, `2[1,2]`)
	want := []string{"any:x", "x", "once", "any:x", "x", "any:off", "any:noack", "any:typed", "typed:7", "any:typed", "any:ack", "any:1"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("order %q, want %q", order, want)
	}
	if got := f.take(); !slices.Equal(got, []string{`62-7[{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}}]`, "<01>", "<02>"}) {
		t.Fatalf("sent %q", got)
	}
	if f.closedWith() != "" {
		t.Fatal("closed")
	}
}

func TestOutgoingAcks(t *testing.T) {
	srv := newServer(t, nil)
	f := dial(srv)
	f.connect(t, "0")
	s := onlySocket(t, srv.Of("/"))

	// Callback style, first ack id 0.
	got := make(chan string, 1)
	var outgoing []string
	s.OnAnyOutgoing(func(ev string, args []any) { outgoing = append(outgoing, ev) })
	if err := s.Emit("q", 1, AckFunc(func(a Args, err error) { got <- string(a.Raw(0)) + errString(err) })); err != nil {
		t.Fatal(err)
	}
	if sent := f.take(); !slices.Equal(sent, []string{`20["q",1]`}) {
		t.Fatalf("sent %q", sent)
	}
	f.in(`3999[]`) // unknown id: ignored
	f.in(`30["r"]`)
	if r := <-got; r != `"r"` {
		t.Fatalf("ack %q", r)
	}
	if !slices.Equal(outgoing, []string{"q"}) {
		t.Fatalf("outgoing %q", outgoing)
	}

	// Timeout.
	if err := s.Timeout(20*time.Millisecond).Emit("slow", AckFunc(func(a Args, err error) { got <- errString(err) })); err != nil {
		t.Fatal(err)
	}
	if r := <-got; r != ErrTimeout.Error() {
		t.Fatalf("timeout ack: %q", r)
	}
	f.in(`31["late"]`) // after the timeout: ignored

	// EmitWithAck with a context, answered.
	res := make(chan string, 1)
	go func() {
		a, err := s.EmitWithAck(context.Background(), "w")
		res <- string(a.Raw(0)) + errString(err)
	}()
	f.waitSent(t, `22["w"]`)
	f.in(`32[true]`)
	if r := <-res; r != "true" {
		t.Fatalf("EmitWithAck %q", r)
	}

	// Context cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := s.EmitWithAck(ctx, "w")
		res <- errString(err)
	}()
	f.waitSent(t, `23["w"]`)
	cancel()
	if r := <-res; r != context.Canceled.Error() {
		t.Fatalf("cancelled EmitWithAck %q", r)
	}

	// Pending at disconnect.
	go func() {
		_, err := s.EmitWithAck(context.Background(), "w")
		res <- errString(err)
	}()
	f.waitSent(t, `24["w"]`)
	f.in("1")
	if r := <-res; r != ErrDisconnected.Error() {
		t.Fatalf("EmitWithAck at disconnect %q", r)
	}
	if err := s.Emit("x"); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("Emit after disconnect: %v", err)
	}
	if err := s.Emit("disconnect"); !errors.Is(err, sio.ErrReservedEvent) {
		t.Fatalf("reserved: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSocketMiddleware(t *testing.T) {
	srv := newServer(t, nil)
	var errs []string
	var handled []string
	srv.OnConnection(func(s *Socket) {
		s.Use(func(e *Event, next func(error)) {
			if e.Name == "bad" {
				next(errors.New("refused"))
				return
			}
			next(nil)
		})
		s.OnError(func(err error) { errs = append(errs, err.Error()) })
		s.OnAny(func(e *Event) { handled = append(handled, e.Name) })
	})
	f := dial(srv)
	f.connect(t, "0")
	f.in(`2["good"]`, `2["bad"]`)
	if !slices.Equal(handled, []string{"good"}) || !slices.Equal(errs, []string{"refused"}) {
		t.Fatalf("handled %q errors %q", handled, errs)
	}
}

func TestDisconnects(t *testing.T) {
	srv := newServer(t, nil)
	var reasons []string
	var rooms [][]string
	srv.OnConnection(func(s *Socket) {
		s.Join("r")
		s.OnDisconnecting(func(string) { rooms = append(rooms, s.Rooms()) })
		s.OnDisconnect(func(r string) { reasons = append(reasons, r) })
	})
	srv.Of("/b").OnConnection(func(s *Socket) { s.OnDisconnect(func(r string) { reasons = append(reasons, "b:"+r) }) })

	f := dial(srv)
	f.connect(t, "0")
	s := onlySocket(t, srv.Of("/"))
	s.Disconnect(false)
	if got := f.take(); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("sent %q", got)
	}
	f.connect(t, "0")
	f.connect(t, "0/b,")
	onlySocket(t, srv.Of("/")).Disconnect(true)
	if got := f.take(); len(got) != 2 || !slices.Contains(got, "1") || !slices.Contains(got, "1/b,") {
		t.Fatalf("sent %q", got)
	}
	if f.closedWith() != "forced server close" {
		t.Fatalf("closed with %q", f.closedWith())
	}
	slices.Sort(reasons[1:])
	want := []string{"server namespace disconnect", "b:server namespace disconnect", "server namespace disconnect"}
	if !slices.Equal(reasons, want) {
		t.Fatalf("reasons %q, want %q", reasons, want)
	}
	if len(rooms) != 2 || !slices.Contains(rooms[0], "r") {
		t.Fatalf("rooms while disconnecting %q", rooms)
	}
	if r := srv.Of("/").Adapter().(*MemoryAdapter).Rooms(); len(r) != 0 {
		t.Fatalf("rooms left %q", r)
	}

	// The session closes under the sockets.
	g := dial(srv)
	g.connect(t, "0")
	g.c.OnClose("ping timeout", nil)
	if reasons[len(reasons)-1] != "ping timeout" {
		t.Fatalf("reasons %q", reasons)
	}
}

func TestConnectTimeout(t *testing.T) {
	srv := newServer(t, &Options{ConnectTimeout: 20 * time.Millisecond})
	f := dial(srv)
	g := dial(srv)
	g.connect(t, "0")
	deadline := time.Now().Add(5 * time.Second)
	for f.closedWith() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if f.closedWith() != "forced server close" || g.closedWith() != "" {
		t.Fatalf("idle closed with %q, connected closed with %q", f.closedWith(), g.closedWith())
	}
}

func TestServeClient(t *testing.T) {
	for path, want := range map[string]bool{
		"/socket.io/socket.io.js": true, "/socket.io/client.wasm": true, "/socket.io/wasm_exec.js": true,
		"/socket.io/": false, "/socket.io/x.json": false, "/socket.io.js/x": false,
	} {
		if isClientFile(path) != want {
			t.Errorf("isClientFile(%q) = %v", path, !want)
		}
	}
}

func TestOffAnyAndOffAnyOutgoing(t *testing.T) {
	srv := newServer(t, nil)
	f := dial(srv)
	f.connect(t, "0")
	s := onlySocket(t, srv.Of("/"))
	var seen []string
	s.OnAny(func(e *Event) { seen = append(seen, "any:"+e.Name) })
	s.OnAnyOutgoing(func(ev string, _ []any) { seen = append(seen, "out:"+ev) })
	f.in(`2["a"]`)
	_ = s.Compress(false).Emit("b")
	s.OffAny()
	s.OffAnyOutgoing()
	f.in(`2["c"]`)
	_ = s.Emit("d")
	if !slices.Equal(seen, []string{"any:a", "out:b"}) {
		t.Fatalf("seen %q", seen)
	}
	if got := f.take(); !slices.Equal(got, []string{`2["b"]`, `2["d"]`}) {
		t.Fatalf("sent %q", got)
	}
}

func TestAckArgs(t *testing.T) {
	srv := newServer(t, nil)
	srv.OnConnection(func(s *Socket) {
		s.On("echo", func(e *Event) {
			if err := e.AckArgs(e.Args); err != nil {
				t.Errorf("AckArgs: %v", err)
			}
			if err := e.AckArgs(e.Args); !errors.Is(err, ErrAlreadyAcked) {
				t.Errorf("second AckArgs: %v", err)
			}
		})
		s.On("tail", func(e *Event) { _ = e.AckArgs(e.Args.Slice(1)) })
		s.On("raw", func(e *Event) { _ = e.AckArgs(sio.RawArgs(nil, json.RawMessage(`{"a":1}`))) })
		s.On("noack", func(e *Event) {
			if err := e.AckArgs(e.Args); !errors.Is(err, ErrNoAck) {
				t.Errorf("AckArgs without id: %v", err)
			}
		})
	})
	f := dial(srv)
	f.connect(t, "0")
	f.in(`21["echo",1,"two",{"3":[4]},null]`, `22["echo"]`, `23["tail","x",true]`, `24["raw"]`, `2["noack",1]`,
		`51-25["echo",{"_placeholder":true,"num":0},"b"]`)
	f.c.OnMessage(eio.BinaryMessage([]byte{9, 8}))
	want := []string{`31[1,"two",{"3":[4]},null]`, `32[]`, `33[true]`, `34[null,{"a":1}]`, `61-25[{"_placeholder":true,"num":0},"b"]`, "<0908>"}
	if got := f.take(); !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}

// TestEventNames: an event's name reaches OnAny, the middlewares and the
// handlers as the reference reads it (escapes, numbers), whether a handler
// matches it or not, and events with more arguments than an Event holds
// inline keep them all.
func TestEventNames(t *testing.T) {
	for _, mw := range []bool{false, true} {
		srv := newServer(t, nil)
		var got []string
		srv.OnConnection(func(s *Socket) {
			if mw {
				s.Use(func(e *Event, next func(error)) { got = append(got, "mw:"+e.Name); next(nil) })
			}
			s.OnAny(func(e *Event) { got = append(got, "any:"+e.Name+":"+strconv.Itoa(e.Args.Len())) })
			for _, name := range []string{`a"b`, "1", "é", "many", "echo"} {
				s.On(name, func(e *Event) {
					if e.Name != name {
						t.Errorf("handler of %q got %q", name, e.Name)
					}
					got = append(got, name+":"+string(e.Args.Raw(e.Args.Len()-1)))
				})
			}
		})
		f := dial(srv)
		f.connect(t, "0")
		f.in(`2["a\"b",1]`, `2[1.0,2]`, `2["\u00e9",3]`, `2["é",4]`, `2["other",5]`, `2["many",1,2,3,4,5,6,7]`, `2["ech",8]`, `2["echo",9]`)
		want := []string{`any:a"b:1`, `a"b:1`, "any:1:1", "1:2", "any:é:1", "é:3", "any:é:1", "é:4", "any:other:1",
			"any:many:7", "many:7", "any:ech:1", "any:echo:1", "echo:9"}
		if mw {
			var w []string
			for i := 0; i < len(want); i++ {
				if name, ok := strings.CutPrefix(want[i], "any:"); ok {
					w = append(w, "mw:"+name[:strings.LastIndexByte(name, ':')])
				}
				w = append(w, want[i])
			}
			want = w
		}
		if !slices.Equal(got, want) {
			t.Errorf("middleware %v: got %q, want %q", mw, got, want)
		}
		if f.closedWith() != "" {
			t.Fatal("closed")
		}
	}
}

// TestSocketEmit: an emit to one socket (no ack) is one text message, or the
// binary packet and its attachments; reserved names, unencodable arguments
// and a disconnected socket are errors; OnAnyOutgoing sees what is sent.
func TestSocketEmit(t *testing.T) {
	srv := newServer(t, nil)
	srv.Of("/chat")
	f := dial(srv)
	f.connect(t, "0/chat")
	f.take()
	s := onlySocket(t, srv.Of("/chat"))
	var out []string
	s.OnAnyOutgoing(func(event string, args []any) { out = append(out, event) })
	if err := s.Emit("m", "x", 1, json.RawMessage(`{"a":[]}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Volatile().Emit("v", []byte{7}, map[string]any{"b": []byte{8, 9}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Emit("disconnect"); !errors.Is(err, sio.ErrReservedEvent) {
		t.Fatalf("reserved name: %v", err)
	}
	if err := s.Emit("m", func() {}); err == nil {
		t.Fatal("a func argument was encoded")
	}
	want := []string{`2/chat,["m","x",1,{"a":[]}]`, `52-/chat,["v",{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}}]`, "<07>", "<0809>"}
	if got := f.take(); !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
	if !slices.Equal(out, []string{"m", "v"}) {
		t.Fatalf("outgoing %q", out)
	}
	s.Disconnect(false)
	if err := s.Emit("m"); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("emit after disconnect: %v", err)
	}
}

// TestAckBinaryAndRetry: an ack with binary (in a struct too) is a
// BINARY_ACK with its attachments; an ack whose arguments do not encode is
// not sent and may be given again.
func TestAckBinaryAndRetry(t *testing.T) {
	srv := newServer(t, nil)
	srv.OnConnection(func(s *Socket) {
		s.On("bin", func(e *Event) {
			if err := e.Ack(struct {
				Data []byte `json:"data"`
			}{[]byte{1}}, []byte{2}); err != nil {
				t.Error(err)
			}
		})
		s.On("retry", func(e *Event) {
			if err := e.Ack(func() {}); !errors.Is(err, sio.ErrUnsupportedValue) {
				t.Errorf("Ack(func): %v", err)
			}
			if err := e.Ack("ok"); err != nil {
				t.Errorf("Ack after a failed one: %v", err)
			}
		})
	})
	f := dial(srv)
	f.connect(t, "0")
	f.in(`21["bin"]`, `22["retry"]`)
	want := []string{`62-1[{"data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]`, "<01>", "<02>", `32["ok"]`}
	if got := f.take(); !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}
