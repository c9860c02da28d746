//go:build interop && !js

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/server/engine"
)

// runClient runs a scenario of interop/server/client.js and returns its
// observations by key.
func runClient(t *testing.T, url, scenario, mode string) map[string]json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	out := nodetest.Run(t, ctx, nil, "server/client.js", url, scenario, mode)
	t.Logf("client ran %v", time.Since(start))
	got := make(map[string]json.RawMessage)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		got[k] = json.RawMessage(v)
	}
	if _, ok := got["done"]; !ok {
		t.Fatalf("scenario %s did not finish:\n%s", scenario, out)
	}
	return got
}

// expect checks that observation key equals the JSON want.
func expect(t *testing.T, got map[string]json.RawMessage, key, want string) {
	t.Helper()
	raw, ok := got[key]
	if !ok {
		t.Errorf("%s: missing", key)
		return
	}
	var g, w any
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Errorf("%s: %v", key, err)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want: %v", key, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", key, raw, want)
	}
}

func TestInteropBasic(t *testing.T) {
	for _, mode := range []string{"websocket", "polling", "upgrade"} {
		t.Run(mode, func(t *testing.T) { testInteropBasic(t, mode, startServer) })
	}
}

// starter starts a Server for a test and returns its URL.
type starter func(t *testing.T, opts *Options, setup func(srv *Server)) (string, *Server)

func testInteropBasic(t *testing.T, mode string, start starter) {
	rs := newReasons()
	askReply := make(chan string, 1)
	url, _ := start(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) {
			s.OnDisconnect(rs.add)
			if err := s.Emit("welcome", "hi", map[string]int{"n": 1}); err != nil {
				t.Error(err)
			}
			s.On("hello", func(e *Event) {
				var x string
				_ = e.Decode(&x)
				if err := e.Ack(x+"!", e.Args.Len()); err != nil {
					t.Error(err)
				}
				if err := e.Ack("twice"); err != ErrAlreadyAcked {
					t.Errorf("second Ack: %v", err)
				}
			})
			s.On("bin", func(e *Event) {
				var b []byte
				var o struct{ Nested [][]byte }
				if err := e.Decode(&b, &o); err != nil {
					t.Error(err)
				}
				_ = e.Ack(map[string]any{"buf": b, "nested": []any{o.Nested[0]}, "len": len(b) + len(o.Nested[0])})
			})
			s.On("binsrv-please", func(e *Event) {
				_ = s.Emit("binsrv", []byte{0xca, 0xfe}, map[string]any{"nested": []any{[]byte{0xbe, 0xef}}, "text": "t"})
			})
			// Server -> client ack: the namespace's first ack id is 0.
			_ = s.Emit("ask", 41, AckFunc(func(a Args, err error) {
				var n int
				if err == nil {
					err = a.Decode(0, &n)
				}
				if err != nil {
					t.Error(err)
				}
				askReply <- "ok"
				_ = s.Emit("asked", n)
			}))
		})
	})
	got := runClient(t, url, "basic", mode)
	expect(t, got, "welcome", `["hi",{"n":1}]`)
	expect(t, got, "id", `true`)
	expect(t, got, "hello-ack", `["x!",2]`)
	expect(t, got, "hello-ack2", `"y!"`)
	expect(t, got, "bin-ack", `["010203","0405",5]`)
	expect(t, got, "asked", `42`)
	expect(t, got, "binsrv", `["cafe","beef","t"]`)
	want := map[string]string{"websocket": "websocket", "polling": "polling", "upgrade": "websocket"}[mode]
	expect(t, got, "transport", `"`+want+`"`)
	expect(t, got, "after", `"z!"`)
	<-askReply
	rs.wait(t, "client namespace disconnect")
}

func TestInteropNamespaces(t *testing.T) {
	for _, mode := range []string{"websocket", "polling"} {
		t.Run(mode, func(t *testing.T) { testInteropNamespaces(t, mode) })
	}
}

func testInteropNamespaces(t *testing.T, mode string) {
	url, _ := startServer(t, nil, func(srv *Server) {
		srv.Of("/admin").OnConnection(func(s *Socket) {
			s.On("whoami", func(e *Event) { _ = e.Ack(s.Namespace().Name()) })
		})
		auth := srv.Of("/auth")
		auth.Use(func(s *Socket, next func(error)) {
			var a struct{ Token string }
			_ = json.Unmarshal(s.Handshake().Auth, &a)
			if a.Token != "ok" {
				next(&ConnectError{Message: "not authorized", Data: map[string]string{"reason": "bad token"}})
				return
			}
			s.Data().Store("user", "alice")
			next(nil)
		})
		auth.OnConnection(func(s *Socket) {
			s.On("auth", func(e *Event) {
				u, _ := s.Data().Load("user")
				_ = e.Ack(u, json.RawMessage(s.Handshake().Auth))
			})
		})
		dyn := srv.OfRegexp(regexp.MustCompile(`^/dyn-\d+$`))
		dyn.Use(func(s *Socket, next func(error)) {
			// Asynchronous middleware: next from another goroutine.
			go next(nil)
		})
		dyn.OnConnection(func(s *Socket) {
			s.On("name", func(e *Event) { _ = e.Ack(s.Namespace().Name()) })
		})
	})
	got := runClient(t, url, "namespaces", mode)
	expect(t, got, "admin", `"/admin"`)
	expect(t, got, "nope", `"Invalid namespace"`)
	expect(t, got, "auth-refused", `{"message":"not authorized","data":{"reason":"bad token"}}`)
	expect(t, got, "auth-ok", `"alice"`)
	expect(t, got, "dyn", `"/dyn-42"`)
	expect(t, got, "multiplexed", `true`)
	expect(t, got, "mux-admin", `"/admin"`)
}

func TestInteropRooms(t *testing.T) {
	for _, mode := range []string{"websocket", "polling"} {
		t.Run(mode, func(t *testing.T) {
			url, _ := startServer(t, nil, func(srv *Server) {
				srv.OnConnection(func(s *Socket) {
					s.On("join", func(e *Event) {
						var room string
						_ = e.Decode(&room)
						s.Join(room)
						_ = e.Ack()
					})
					s.On("shout", func(e *Event) {
						var room, msg string
						_ = e.Decode(&room, &msg)
						_ = s.To(room).Emit("news", msg)
						_ = e.Ack()
					})
					s.On("all-but", func(e *Event) {
						var room, msg string
						_ = e.Decode(&room, &msg)
						_ = srv.Except(room).Emit("news", msg)
						_ = e.Ack()
					})
					s.On("everyone", func(e *Event) {
						var msg string
						_ = e.Decode(&msg)
						_ = srv.Emit("news", msg)
						_ = e.Ack()
					})
					s.On("sync", func(e *Event) { _ = e.Ack() })
				})
			})
			got := runClient(t, url, "rooms", mode)
			expect(t, got, "got", `[["e1"],["r1","e1"],["b1","e1"]]`)
		})
	}
}

func TestInteropBroadcastAck(t *testing.T) {
	for _, mode := range []string{"websocket", "polling"} {
		t.Run(mode, func(t *testing.T) { testInteropBroadcastAck(t, mode, startServer) })
	}
}

func testInteropBroadcastAck(t *testing.T, mode string, start starter) {
	url, _ := start(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) {
			s.On("collect", func(e *Event) {
				go func() { // EmitWithAck waits: not on the read loop
					replies, err := srv.Timeout(10*time.Second).EmitWithAck(context.Background(), "q", 10)
					if err != nil {
						t.Error(err)
					}
					var ns []int
					for _, r := range replies {
						var n int
						_ = r.Decode(0, &n)
						ns = append(ns, n)
					}
					slices.Sort(ns)
					_ = e.Ack(ns)
				}()
			})
		})
	})
	got := runClient(t, url, "broadcastack", mode)
	expect(t, got, "answers", `[10,11,12]`)
}

func TestInteropVolatile(t *testing.T) {
	url, _ := startServer(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) {
			s.On("go", func(e *Event) {
				for i := range 20 {
					_ = s.Volatile().Emit("v", i)
					_ = srv.Volatile().Emit("v", i)
				}
				go func() {
					time.Sleep(100 * time.Millisecond)
					_ = s.Emit("end")
				}()
			})
		})
	})
	got := runClient(t, url, "volatile", "websocket")
	expect(t, got, "volatile-got-some", `true`)
}

func TestInteropDisconnectReasons(t *testing.T) {
	rs := newReasons()
	url, _ := startServer(t, nil, func(srv *Server) {
		srv.OnConnection(func(s *Socket) {
			s.OnDisconnect(rs.add)
			s.On("kick", func(e *Event) { s.Disconnect(false) })
			s.On("close", func(e *Event) { s.Disconnect(true) })
			s.On("conn-close", func(e *Event) { s.Conn().Close(engine.ReasonForcedClose) })
		})
	})
	got := runClient(t, url, "disconnects", "websocket")
	expect(t, got, "kick", `"io server disconnect"`)
	expect(t, got, "client", `"io client disconnect"`)
	expect(t, got, "close", `"io server disconnect"`)
	expect(t, got, "forced", `"transport close"`)
	expect(t, got, "transport", `"forced close"`) // the client closed its engine
	rs.wait(t, "server namespace disconnect")
	rs.wait(t, "client namespace disconnect")
	rs.wait(t, "server namespace disconnect")
	rs.wait(t, "forced close")
	rs.wait(t, "transport close")
}

func TestInteropRecovery(t *testing.T) {
	for _, mode := range []string{"websocket", "polling", "upgrade"} {
		t.Run(mode, func(t *testing.T) {
			recovered := make(chan bool, 4)
			opts := &Options{ConnectionStateRecovery: &RecoveryOptions{}}
			url, _ := startServer(t, opts, func(srv *Server) {
				srv.Use(func(s *Socket, next func(error)) {
					if s.Recovered() {
						t.Error("middleware ran for a recovered socket")
					}
					next(nil)
				})
				srv.OnConnection(func(s *Socket) {
					recovered <- s.Recovered()
					if !s.Recovered() {
						s.Data().Store("k", "v")
						_ = s.Emit("e", "e0")
					} else if v, _ := s.Data().Load("k"); v != "v" {
						t.Errorf("data not restored: %v", v)
					}
					s.On("join", func(e *Event) {
						s.Join("room1")
						_ = e.Ack()
					})
					s.On("ready", func(e *Event) { _ = s.Emit("closing-soon") })
					s.On("rooms", func(e *Event) { _ = e.Ack(s.Rooms()) })
					s.OnDisconnect(func(reason string) {
						if reason != "transport close" {
							return
						}
						_ = srv.To("room1").Emit("e", "m1")
						_ = srv.Emit("e", "m2")
						_ = srv.To("other").Emit("e", "not-for-you")
						_ = srv.Volatile().Emit("e", "volatile-lost")
					})
				})
			})
			got := runClient(t, url, "recovery", mode)
			expect(t, got, "first-recovered", `false`)
			expect(t, got, "recovered", `true`)
			expect(t, got, "same-id", `true`)
			expect(t, got, "got", `["e0","m1","m2"]`)
			var rooms []string
			if err := json.Unmarshal(got["rooms"], &rooms); err != nil || !slices.Contains(rooms, "room1") || len(rooms) != 2 {
				t.Errorf("rooms after recovery = %s", got["rooms"])
			}
			if a, b := <-recovered, <-recovered; a || !b {
				t.Errorf("Recovered() = %v then %v", a, b)
			}
		})
	}
}

// TestInteropManyClients runs 200 concurrent official clients: all over
// websocket, all over polling, and mixed (websocket, polling, polling then
// upgrade, in turn).
func TestInteropManyClients(t *testing.T) {
	for _, mode := range []string{"websocket", "polling", "mixed"} {
		t.Run(mode, func(t *testing.T) {
			rs := newReasons()
			url, srv := startServer(t, nil, func(srv *Server) {
				srv.OnConnection(func(s *Socket) {
					s.OnDisconnect(rs.add)
					s.On("echo", func(e *Event) { _ = e.Ack(json.RawMessage(e.Args.Raw(0))) })
					s.On("bcast", func(e *Event) { _ = srv.Emit("all", "hi") })
					s.On("drained", func(e *Event) {
						go func() { // until only the asking socket is left, or the test ends
							for len(srv.Sockets()) > 1 && t.Context().Err() == nil {
								time.Sleep(10 * time.Millisecond)
							}
							_ = e.Ack(len(srv.Sockets()) <= 1)
						}()
					})
				})
			})
			got := runClient(t, url, "many", mode)
			expect(t, got, "acks-ok", `true`)
			expect(t, got, "bcast-ok", `true`)
			expect(t, got, "acks2-ok", `true`)
			var names map[string]int
			if err := json.Unmarshal(got["transports"], &names); err != nil {
				t.Fatal(err)
			}
			t.Logf("final transports %v", names)
			switch mode {
			case "mixed":
				// 67 stay on polling; 133 end on websocket, 66 of them after
				// an upgrade (which may still be in flight: at least 67
				// polling).
				if names["websocket"]+names["polling"] != 200 || names["polling"] < 67 || names["websocket"] < 67 {
					t.Errorf("transports %v", names)
				}
			default:
				if !reflect.DeepEqual(names, map[string]int{mode: 200}) {
					t.Errorf("transports %v, want 200 %s", names, mode)
				}
			}
			expect(t, got, "drained", `true`)
			// The 200 and the socket that waited for them.
			for range 201 {
				rs.wait(t, "client namespace disconnect")
			}
			waitFor(t, "every socket gone", func() bool { return len(srv.Sockets()) == 0 })
		})
	}
}

// TestInteropBinary: a []byte inside objects both ways with the official
// client: its "binary data mixed with json" case decoded into a map, and a
// struct's []byte fields received as Buffers.
func TestInteropBinary(t *testing.T) {
	type file struct {
		Name  string   `json:"name"`
		Data  []byte   `json:"data"`
		Parts [][]byte `json:"parts"`
	}
	for _, mode := range []string{"websocket", "polling"} {
		t.Run(mode, func(t *testing.T) {
			url, _ := startServer(t, nil, func(srv *Server) {
				srv.OnConnection(func(s *Socket) {
					s.On("jsonbuff", func(e *Event) {
						var a map[string]any
						if err := e.Args.Decode(0, &a); err != nil {
							t.Error(err)
						}
						b, _ := a["message"].([]byte)
						_ = s.Emit("jsonbuff-ack", map[string]any{"hello": a["hello"], "goodbye": a["goodbye"], "message": fmt.Sprintf("%T %x", a["message"], b)})
					})
					s.On("file-please", func(e *Event) {
						_ = s.Emit("file", file{Name: "event", Data: []byte{0xca, 0xfe}, Parts: [][]byte{{1}, {}}})
						_ = e.Ack(&file{Name: "ack", Data: []byte{0xbe, 0xef}, Parts: [][]byte{{2, 3}}})
					})
				})
			})
			got := runClient(t, url, "binary", mode)
			expect(t, got, "jsonbuff-ack", `{"hello":"lol","goodbye":"gotcha","message":"[]uint8 0102"}`)
			expect(t, got, "file", `{"name":"event","isBuffer":true,"data":"cafe","parts":["01",""]}`)
			expect(t, got, "file-ack", `{"name":"ack","isBuffer":true,"data":"beef","parts":["0203"]}`)
		})
	}
}
