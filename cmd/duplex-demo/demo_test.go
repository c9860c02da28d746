package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/www/chat/chatmsg"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

const hang = 10 * time.Second // hang guard only

type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the demo's Socket.IO logic on a test server.
func start(t *testing.T, out io.Writer) string {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := server.New(&server.Options{Logger: discard})
	hello(srv, out)
	newChat(srv.Of(chatmsg.Namespace), discard)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		srv.Close(ctx)
		ts.Close()
	})
	return ts.URL
}

func connect(t *testing.T, url string) *client.Socket {
	t.Helper()
	s := client.Connect(url, &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(func() { s.Manager().Close() })
	return s
}

func recv[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(hang):
		t.Fatal("timed out")
		panic("unreachable")
	}
}

func TestHello(t *testing.T) {
	var out lines
	url := start(t, &out)
	s := connect(t, url)
	greetings := make(chan Greeting, 1)
	client.On(s, "hello-server", func(_ *client.Event, g Greeting) { greetings <- g })
	s.Emit("hello-message", "hello from client") // buffered until connected
	if g := recv(t, greetings); g.Message != "hello clients" {
		t.Fatalf("greeting %+v", g)
	}
	deadline := time.Now().Add(hang)
	for out.String() != "hello from client\n" {
		if time.Now().After(deadline) {
			t.Fatalf("stdout %q, want %q", out.String(), "hello from client\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func join(t *testing.T, s *client.Socket, room, nick string) chatmsg.Joined {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	a, err := s.EmitWithAck(ctx, chatmsg.EventJoin, chatmsg.Join{Room: room, Nick: nick})
	if err != nil {
		t.Fatal(err)
	}
	var j chatmsg.Joined
	if err := a.Decode(0, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestChat(t *testing.T) {
	url := start(t, io.Discard) + chatmsg.Namespace
	alice, bob, carol := connect(t, url), connect(t, url), connect(t, url)
	aliceMsgs, bobMsgs := make(chan chatmsg.Message, 4), make(chan chatmsg.Message, 4)
	presence := make(chan chatmsg.Presence, 4)
	typing := make(chan chatmsg.Typing, 4)
	client.On(alice, chatmsg.EventMessage, func(_ *client.Event, m chatmsg.Message) { aliceMsgs <- m })
	client.On(bob, chatmsg.EventMessage, func(_ *client.Event, m chatmsg.Message) { bobMsgs <- m })
	client.On(alice, chatmsg.EventPresence, func(_ *client.Event, p chatmsg.Presence) { presence <- p })
	client.On(alice, chatmsg.EventTyping, func(_ *client.Event, tp chatmsg.Typing) { typing <- tp })
	client.On(bob, chatmsg.EventTyping, func(_ *client.Event, tp chatmsg.Typing) {
		t.Errorf("bob got his own typing: %+v", tp)
	})

	if j := join(t, alice, " Lobby ", "  alice "); j.Error != "" || j.Room != "lobby" || j.Nick != "alice" {
		t.Fatalf("alice: %+v", j)
	}
	if j := join(t, carol, "lobby", "ALICE"); !strings.Contains(j.Error, "taken") {
		t.Fatalf("a taken nickname: %+v", j)
	}
	if j := join(t, carol, "", "carol"); j.Error == "" {
		t.Fatalf("no room: %+v", j)
	}
	if j := join(t, bob, "lobby", "bob"); j.Error != "" || strings.Join(j.Users, ",") != "alice,bob" {
		t.Fatalf("bob: %+v", j)
	}
	if p := recv(t, presence); !p.Joined || p.Nick != "bob" || strings.Join(p.Users, ",") != "alice,bob" {
		t.Fatalf("presence %+v", p)
	}
	if j := join(t, carol, "random", "carol"); j.Error != "" {
		t.Fatalf("carol: %+v", j)
	}
	client.On(carol, chatmsg.EventMessage, func(_ *client.Event, m chatmsg.Message) {
		t.Errorf("carol in #random got %+v", m)
	})

	bob.Emit(chatmsg.EventTyping, chatmsg.Typing{Nick: "spoofed", Typing: true})
	if tp := recv(t, typing); tp.Nick != "bob" || !tp.Typing {
		t.Fatalf("typing %+v", tp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	a, err := bob.EmitWithAck(ctx, chatmsg.EventSay, chatmsg.Say{Text: " hi "})
	var said chatmsg.Said
	if err == nil {
		err = a.Decode(0, &said)
	}
	if err != nil || !said.OK {
		t.Fatalf("say: %+v %v", said, err)
	}
	for _, c := range []chan chatmsg.Message{aliceMsgs, bobMsgs} {
		if m := recv(t, c); m.Nick != "bob" || m.Text != "hi" || m.Room != "lobby" || m.Time == 0 {
			t.Fatalf("message %+v", m)
		}
	}
	a, err = carol.EmitWithAck(ctx, chatmsg.EventSay, chatmsg.Say{Text: "   "})
	said = chatmsg.Said{}
	if err == nil {
		err = a.Decode(0, &said)
	}
	if err != nil || said.OK || said.Error == "" {
		t.Fatalf("empty say: %+v %v", said, err)
	}

	bob.Disconnect()
	if p := recv(t, presence); p.Joined || p.Nick != "bob" || strings.Join(p.Users, ",") != "alice" {
		t.Fatalf("presence after bob left: %+v", p)
	}
}

func TestIsLocalOrigin(t *testing.T) {
	for origin, want := range map[string]bool{
		"http://localhost:3000":   true,
		"http://127.0.0.1:8080":   true,
		"http://[::1]:3000":       true,
		"https://example.com":     false,
		"http://localhost.evil.x": false,
		"null":                    false,
		"":                        false,
	} {
		if got := isLocalOrigin(origin); got != want {
			t.Errorf("isLocalOrigin(%q) = %v", origin, got)
		}
	}
}
