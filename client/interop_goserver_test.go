//go:build interop && !js

package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/server"
)

// goServer serves a duplex server with the same scenarios as interop/client/server.js
// on listener ln, and returns a func that shuts it down.
func goServer(t *testing.T, ln net.Listener, opts *server.Options) (*server.Server, func()) {
	t.Helper()
	srv := server.New(opts)
	common := func(s *server.Socket) {
		s.On("echo", func(e *server.Event) {
			vals := make([]any, e.Args.Len())
			for i := range vals {
				var b []byte
				if err := e.Args.Decode(i, &b); err == nil && bytes.HasPrefix(e.Args.Raw(i), []byte(`{"_placeholder"`)) {
					vals[i] = b
				} else {
					vals[i] = e.Args.Raw(i)
				}
			}
			_ = s.Emit("echo", vals...)
			if e.HasAck() {
				_ = e.Ack(vals...)
			}
		})
		s.On("ask", func(e *server.Event) {
			var q string
			_ = e.Decode(&q)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
				defer cancel()
				a, err := s.EmitWithAck(ctx, "question", q, []byte{1, 2, 3})
				if err != nil {
					_ = s.Emit("answer", "error: "+err.Error())
					return
				}
				var ans string
				var bin []byte
				_ = a.Decode(0, &ans)
				_ = a.Decode(1, &bin)
				_ = s.Emit("answer", ans, bin)
			}()
		})
		s.On("kick", func(e *server.Event) { s.Disconnect(false) })
		s.On("cut", func(e *server.Event) {
			var n int
			_ = e.Decode(&n)
			s.Conn().Close("transport close")
			go func() {
				time.Sleep(50 * time.Millisecond)
				for i := range n {
					_ = srv.Emit("missed", i)
				}
			}()
		})
		s.On("note", func(e *server.Event) {
			var n int
			_ = e.Decode(&n)
			notes <- n
			if e.HasAck() {
				_ = e.Ack("noted")
			}
		})
	}
	srv.OnConnection(func(s *server.Socket) {
		common(s)
		_ = s.Emit("welcome") // carries an offset when recovery is on
	})
	admin := srv.Of("/admin")
	admin.Use(func(s *server.Socket, next func(error)) {
		var auth struct{ Token string }
		_ = jsonUnmarshal(s.Handshake().Auth, &auth)
		if auth.Token != "good" {
			next(&server.ConnectError{Message: "not authorized", Data: map[string]string{"reason": "bad token"}})
			return
		}
		next(nil)
	})
	admin.OnConnection(common)
	stop := serve(ln, srv)
	t.Cleanup(stop)
	return srv, stop
}

// serve serves srv on ln until the returned func is called (more than once is fine).
func serve(ln net.Listener, srv *server.Server) func() {
	hs := &http.Server{Handler: srv}
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Serve(ln) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			_ = srv.Close(ctx)
			_ = hs.Close()
			<-done
		})
	}
}

// notes receives the "note" events of the Go server (exactly-once checks).
var notes = make(chan int, 64)

func listen(t testing.TB, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestGoServer(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	goServer(t, ln, &server.Options{Logger: quietLogger()})
	url := "http://" + ln.Addr().String()
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) {
			var echo <-chan *Event
			var conn <-chan struct{}
			s := connectThen(url, &Options{Engine: engine.Options{Transports: tc.transports}, Logger: quietLogger()}, func(s *Socket) {
				echo, conn = events(s, "echo"), connected(s)
			})
			defer s.Manager().Close()
			recv(t, conn, "connect")
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()

			if err := s.Emit("echo", "hi", 1); err != nil {
				t.Fatal(err)
			}
			e := recv(t, echo, "echo")
			var str string
			var n int
			if err := e.Decode(&str, &n); err != nil || str != "hi" || n != 1 {
				t.Fatalf("echo %q %d %v", str, n, err)
			}
			bin := []byte{0, 255, 7}
			a, err := s.EmitWithAck(ctx, "echo", "b", bin)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			if err := a.Decode(1, &got); err != nil || !bytes.Equal(got, bin) {
				t.Fatalf("binary ack %v %v", got, err)
			}
			e = recv(t, echo, "binary echo")
			if err := e.Args.Decode(1, &got); err != nil || !bytes.Equal(got, bin) {
				t.Fatalf("binary echo %v %v", got, err)
			}

			answers := events(s, "answer")
			s.On("question", func(e *Event) {
				var q string
				var qb []byte
				_ = e.Decode(&q, &qb)
				_ = e.Ack(q+"!", qb)
			})
			if err := s.Emit("ask", "why"); err != nil {
				t.Fatal(err)
			}
			e = recv(t, answers, "answer")
			if err := e.Decode(&str, &got); err != nil || str != "why!" || !bytes.Equal(got, []byte{1, 2, 3}) {
				t.Fatalf("answer %q %v %v", str, got, err)
			}

			deadline := time.Now().Add(waitTimeout)
			for s.Manager().Transport() != tc.want && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if tr := s.Manager().Transport(); tr != tc.want {
				t.Fatalf("transport %q want %q", tr, tc.want)
			}
			if _, err := s.EmitWithAck(ctx, "echo", 2); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("namespaces", func(t *testing.T) {
		m, _ := NewManager(url, &Options{Logger: quietLogger()})
		defer m.Close()
		good := m.Socket("/admin", &SocketOptions{Auth: map[string]string{"token": "good"}})
		main := m.Socket("/", nil)
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		for _, s := range []*Socket{good, main} {
			if _, err := s.EmitWithAck(ctx, "echo", s.Namespace()); err != nil {
				t.Fatal(err)
			}
		}
		var errs <-chan error
		bad := connectThen(url+"/admin", &Options{Logger: quietLogger(), Socket: SocketOptions{Auth: map[string]string{"token": "bad"}}}, func(s *Socket) {
			errs = connectErrors(s)
		})
		defer bad.Manager().Close()
		var ce *ConnectError
		if err := recv(t, errs, "connect_error"); !errors.As(err, &ce) || ce.Message != "not authorized" || string(ce.Data) != `{"reason":"bad token"}` {
			t.Fatalf("connect error %v", err)
		}
	})
	t.Run("kick", func(t *testing.T) {
		var d <-chan string
		var conn <-chan struct{}
		s := connectThen(url, &Options{Logger: quietLogger()}, func(s *Socket) { d, conn = disconnected(s), connected(s) })
		defer s.Manager().Close()
		recv(t, conn, "connect")
		_ = s.Emit("kick")
		if r := recv(t, d, "disconnect"); r != "io server disconnect" {
			t.Fatalf("reason %q", r)
		}
	})
}

func TestGoServerReconnect(t *testing.T) {
	for _, tc := range transportCases {
		t.Run(tc.name, func(t *testing.T) {
			ln := listen(t, "127.0.0.1:0")
			addr := ln.Addr().String()
			_, stop := goServer(t, ln, &server.Options{Logger: quietLogger()})
			var conn <-chan struct{}
			var d <-chan string
			s := connectThen("http://"+addr, &Options{Engine: engine.Options{Transports: tc.transports}, ReconnectionDelay: 50 * time.Millisecond,
				ReconnectionDelayMax: 100 * time.Millisecond, Logger: quietLogger()}, func(s *Socket) { conn, d = connected(s), disconnected(s) })
			defer s.Manager().Close()
			recv(t, conn, "connect")
			stop()
			if r := recv(t, d, "disconnect"); r != "transport close" && r != "transport error" {
				t.Fatalf("reason %q", r)
			}
			for i := range 3 {
				if err := s.Emit("note", i); err != nil {
					t.Fatal(err)
				}
			}
			goServer(t, listen(t, addr), &server.Options{Logger: quietLogger()})
			recv(t, conn, "reconnect")
			for i := range 3 {
				if n := recv(t, notes, "note"); n != i {
					t.Fatalf("note %d, want %d", n, i)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			if _, err := s.EmitWithAck(ctx, "note", 99); err != nil {
				t.Fatal(err)
			}
			if n := recv(t, notes, "note"); n != 99 {
				t.Fatalf("note %d after the buffered ones: duplicate delivery", n)
			}
		})
	}
}

func TestGoServerRecovery(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	goServer(t, ln, &server.Options{Logger: quietLogger(), ConnectionStateRecovery: &server.RecoveryOptions{}})
	var conn <-chan struct{}
	var missed <-chan *Event
	s := connectThen("http://"+ln.Addr().String(), &Options{ReconnectionDelay: 50 * time.Millisecond, Logger: quietLogger()}, func(s *Socket) {
		conn, missed = connected(s), events(s, "missed")
	})
	defer s.Manager().Close()
	recv(t, conn, "connect")
	id := s.ID()
	// Cut the transport once the upgrade is done: a close during the probe is
	// another scenario (TestGoServerCloseDuringUpgrade).
	deadline := time.Now().Add(waitTimeout)
	for s.Manager().Transport() != "websocket" {
		if time.Now().After(deadline) {
			t.Fatalf("still on %q", s.Manager().Transport())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Emit("cut", 2); err != nil {
		t.Fatal(err)
	}
	expectRecovered(t, s, conn, missed, id)
}

// TestGoServerConcurrentEmits: emits and acks from many goroutines at once,
// across the upgrade (run with -race).
func TestGoServerConcurrentEmits(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	goServer(t, ln, &server.Options{Logger: quietLogger()})
	m, _ := NewManager("http://"+ln.Addr().String(), &Options{Logger: quietLogger()})
	defer m.Close()
	socks := []*Socket{m.Socket("/", nil), m.Socket("/admin", &SocketOptions{Auth: map[string]string{"token": "good"}})}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	errs := make(chan error, 16)
	for g := range 8 {
		go func() {
			s := socks[g%2]
			for i := range 100 {
				a, err := s.EmitWithAck(ctx, "echo", g, i, []byte{byte(i)})
				if err != nil {
					errs <- err
					return
				}
				var gg, ii int
				var b []byte
				if err := a.Decode(0, &gg); err != nil || gg != g {
					errs <- fmt.Errorf("goroutine %d got %d (%v)", g, gg, err)
					return
				}
				_ = a.Decode(1, &ii)
				_ = a.Decode(2, &b)
				if ii != i || len(b) != 1 || b[0] != byte(i) {
					errs <- fmt.Errorf("goroutine %d: ack %d %v for %d", g, ii, b, i)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := recv(t, errs, "goroutine"); err != nil {
			t.Fatal(err)
		}
	}
}

// closeOnNoop wraps the server's handler: the first polling GET answered with
// a lone noop (the server's "pause polling" answer during an upgrade probe,
// docs/protocol.md §1.7) closes the session just before the noop goes out, so the
// server closes while the client pauses polling for the probe.
//
// The websocket request is held until release is closed (the test closes it
// once the client is connected and idle, its long-polling GET pending), so
// the noop answers that GET: the client pauses right after it.
type closeOnNoop struct {
	http.Handler
	release chan struct{}
	once    sync.Once
	close   func()
}

func (h *closeOnNoop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("transport") == "websocket":
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
	case r.Method == http.MethodGet && q.Get("sid") != "":
		w = &noopWriter{ResponseWriter: w, h: h}
	}
	h.Handler.ServeHTTP(w, r)
}

type noopWriter struct {
	http.ResponseWriter
	h *closeOnNoop
}

func (w *noopWriter) Write(b []byte) (int, error) {
	if string(b) == "6" {
		w.h.once.Do(w.h.close)
	}
	return w.ResponseWriter.Write(b)
}

// TestGoServerCloseDuringUpgrade: the server closes the session while the
// client probes the websocket; the client must end the session at once
// ("transport close", not after the upgrade timeout), reconnect and be
// recovered.
func TestGoServerCloseDuringUpgrade(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	srv := server.New(&server.Options{Logger: quietLogger(), ConnectionStateRecovery: &server.RecoveryOptions{}})
	first := make(chan *server.Socket, 1)
	srv.OnConnection(func(s *server.Socket) {
		select {
		case first <- s:
		default:
		}
		_ = s.Emit("welcome") // an offset to recover from
	})
	h := &closeOnNoop{Handler: srv, release: make(chan struct{})}
	var sock *server.Socket
	h.close = func() {
		sock.Conn().Close("transport close")
		go func() {
			time.Sleep(50 * time.Millisecond)
			for i := range 2 {
				_ = srv.Emit("missed", i)
			}
		}()
	}
	hs := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = srv.Close(ctx)
		_ = hs.Close()
		<-done
	})

	var conn <-chan struct{}
	var d <-chan string
	var missed, welcome <-chan *Event
	s := connectThen("http://"+ln.Addr().String(), &Options{ReconnectionDelay: 50 * time.Millisecond, Logger: quietLogger()}, func(s *Socket) {
		conn, d, missed, welcome = connected(s), disconnected(s), events(s, "missed"), events(s, "welcome")
	})
	defer s.Manager().Close()
	recv(t, conn, "connect")
	recv(t, welcome, "welcome")
	sock = recv(t, first, "server socket")
	id := sock.ID()
	// Let the probe start once the client's GET is pending (it polls again
	// right after the connect reply; the server has nothing more to send).
	time.Sleep(50 * time.Millisecond)
	close(h.release)
	start := time.Now()
	if r := recv(t, d, "disconnect"); r != "transport close" {
		t.Fatalf("reason %q", r)
	}
	if d := time.Since(start); d > time.Second {
		// Not a performance check: the 10 s upgrade timeout must not be
		// what ends the session.
		t.Fatalf("disconnect after %v", d)
	}
	expectRecovered(t, s, conn, missed, id)
}

// TestGoServerCutAfterConnect: the server closes the session right after the
// connect, while the client usually probes the websocket (the old
// TestGoServerRecovery, timing-dependent; TestGoServerCloseDuringUpgrade is
// the deterministic version).
func TestGoServerCutAfterConnect(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	goServer(t, ln, &server.Options{Logger: quietLogger(), ConnectionStateRecovery: &server.RecoveryOptions{}})
	var conn <-chan struct{}
	var missed, welcome <-chan *Event
	s := connectThen("http://"+ln.Addr().String(), &Options{ReconnectionDelay: 50 * time.Millisecond, Logger: quietLogger()}, func(s *Socket) {
		conn, missed, welcome = connected(s), events(s, "missed"), events(s, "welcome")
	})
	defer s.Manager().Close()
	recv(t, conn, "connect")
	recv(t, welcome, "welcome")
	id := s.ID()
	if err := s.Emit("cut", 2); err != nil {
		t.Fatal(err)
	}
	expectRecovered(t, s, conn, missed, id)
}

// expectRecovered waits for the reconnection and checks that it recovered the
// socket id and delivered the events "missed" 0 and 1 emitted meanwhile.
func expectRecovered(t *testing.T, s *Socket, conn <-chan struct{}, missed <-chan *Event, id string) {
	t.Helper()
	recv(t, conn, "reconnect")
	if !s.Recovered() || s.ID() != id {
		t.Fatalf("recovered %v id %q want %q", s.Recovered(), s.ID(), id)
	}
	for i := range 2 {
		var n int
		if err := recv(t, missed, "missed").Decode(&n); err != nil || n != i {
			t.Fatalf("missed %d: %d %v", i, n, err)
		}
	}
}
