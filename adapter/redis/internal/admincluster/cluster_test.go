//go:build interop && !js

package admincluster_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/redistest"
	"github.com/duplexio/duplex/admin"
	"github.com/duplexio/duplex/client"
	clientengine "github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/server"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

const password = "s3cret"

// waitFor bounds every wait of these tests (a loaded machine, three nodes).
const waitFor = 15 * time.Second

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// duplexNode starts a duplex server on the Redis at addr in mode, with the
// admin instrumented as serverID; it returns the server and its URL.
func duplexNode(t *testing.T, mode, addr, serverID, hash string) (*server.Server, string) {
	t.Helper()
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{addr}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	var factory func(*server.Namespace) server.Adapter
	var closer io.Closer = io.NopCloser(nil)
	switch mode {
	case "streams":
		st := redis.NewStreams(c, nil)
		factory, closer = st.Adapter, st
	case "classic":
		cl := redis.NewClassic(c, nil)
		factory, closer = cl.Adapter, cl
	default:
		t.Fatalf("mode %q", mode)
	}
	srv := server.New(&server.Options{Adapter: factory, Logger: quiet()})
	a, err := admin.Instrument(srv, admin.Options{
		Auth:     &admin.BasicAuth{Username: "admin", PasswordHash: hash},
		ServerID: serverID,
		Logger:   quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		a.Close()
		_ = srv.Close(context.Background())
		_ = closer.Close()
		c.Close()
	})
	return srv, hs.URL
}

// nodeNode starts a Node socket.io server with instrument() on the Redis at
// addr in mode (interop/cluster/admin-node.js) and returns its URL.
func nodeNode(t *testing.T, mode, addr, serverID, hash string) string {
	t.Helper()
	if _, err := os.Stat(nodetest.Root(t) + "/admin/node_modules/@socket.io/admin-ui/package.json"); err != nil {
		t.Fatalf("interop/admin is not installed (run make deps): %v", err)
	}
	p := nodetest.Start(t, "cluster/admin-node.js", []string{"ADMIN_HASH=" + hash},
		"--mode", mode, "--redis", addr, "--name", serverID)
	line := p.Expect(t, "listening ", 30*time.Second)
	return "http://127.0.0.1:" + strings.TrimPrefix(line, "listening ")
}

// recv is one event an admin received.
type recv struct {
	name string
	args []json.RawMessage
}

// feed is what an admin received; wait takes events from it in any order.
type feed struct {
	sock  *client.Socket
	ch    chan recv
	early []recv
}

// adminClient logs in to the admin namespace at url with duplex's Go client
// (the UI's protocol) and records every event.
func adminClient(t *testing.T, url string) *feed {
	t.Helper()
	sock := client.Connect(url+"/admin", &client.Options{
		Socket:         client.SocketOptions{Auth: map[string]string{"username": "admin", "password": password}},
		NoReconnection: true,
	})
	t.Cleanup(func() { sock.Manager().Close() })
	f := &feed{sock: sock, ch: make(chan recv, 1<<14)}
	sock.OnAny(func(e *client.Event) {
		select {
		case f.ch <- recv{e.Name, append([]json.RawMessage(nil), e.Args.All()...)}:
		default: // the test stopped reading
		}
	})
	sock.OnConnectError(func(err error) {
		msg, _ := json.Marshal(err.Error())
		f.ch <- recv{"connect_error", []json.RawMessage{msg}}
	})
	return f
}

// wait returns the first event named name whose args pass ok (nil: any).
func (f *feed) wait(t *testing.T, what, name string, ok func(args []json.RawMessage) bool) []json.RawMessage {
	t.Helper()
	match := func(r recv) bool { return r.name == name && (ok == nil || ok(r.args)) }
	for i, r := range f.early {
		if match(r) {
			f.early = append(f.early[:i:i], f.early[i+1:]...)
			return r.args
		}
	}
	timeout := time.After(waitFor)
	for {
		select {
		case r := <-f.ch:
			if r.name == "connect_error" {
				t.Fatalf("%s: admin login refused: %s", what, r.args[0])
			}
			if match(r) {
				return r.args
			}
			f.early = append(f.early, r)
		case <-timeout:
			t.Fatalf("%s: no %s event in %v", what, name, waitFor)
			return nil
		}
	}
}

// serverIDs waits until the admin has had server_stats from every id.
func (f *feed) serverIDs(t *testing.T, what string, ids ...string) {
	t.Helper()
	seen := map[string]bool{}
	for len(seen) < len(ids) {
		f.wait(t, what+" (server_stats of "+strings.Join(ids, ", ")+")", "server_stats", func(a []json.RawMessage) bool {
			var st struct {
				ServerID string `json:"serverId"`
			}
			_ = json.Unmarshal(a[0], &st)
			if slices.Contains(ids, st.ServerID) {
				seen[st.ServerID] = true
			}
			return true
		})
	}
}

// socketView is what the tests read of the UI's socket.
type socketView struct {
	ID        string         `json:"id"`
	ClientID  string         `json:"clientId"`
	Transport string         `json:"transport"`
	Nsp       string         `json:"nsp"`
	Rooms     []string       `json:"rooms"`
	Data      map[string]any `json:"data"`
}

// allSockets waits for all_sockets and returns its sockets by id.
func (f *feed) allSockets(t *testing.T, what string) map[string]socketView {
	t.Helper()
	var list []socketView
	if err := json.Unmarshal(f.wait(t, what, "all_sockets", nil)[0], &list); err != nil {
		t.Fatalf("%s: all_sockets: %v", what, err)
	}
	out := map[string]socketView{}
	for _, s := range list {
		out[s.ID] = s
	}
	return out
}

// user is a client of one node.
type user struct {
	name  string
	sock  *client.Socket
	greet chan string
	gone  chan string
}

func connectUser(t *testing.T, name, url string, transports ...string) *user {
	t.Helper()
	u := &user{name: name, greet: make(chan string, 16), gone: make(chan string, 1)}
	u.sock = client.Connect(url, &client.Options{
		Engine:         clientengine.Options{Transports: transports},
		NoReconnection: true,
	})
	t.Cleanup(func() { u.sock.Manager().Close() })
	u.sock.On("greet", func(e *client.Event) {
		var s string
		_ = e.Args.Decode(0, &s)
		u.greet <- s
	})
	u.sock.OnDisconnect(func(reason string) {
		select {
		case u.gone <- reason:
		default:
		}
	})
	deadline := time.Now().Add(waitFor)
	for !u.sock.Connected() {
		if time.Now().After(deadline) {
			t.Fatalf("user %s did not connect to %s", name, url)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return u
}

// members returns the ids of the sockets of room, on every node, sorted.
func members(t *testing.T, srv *server.Server, room string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	rs, err := srv.Of("/").In(room).FetchSockets(ctx)
	if err != nil {
		t.Fatalf("fetch %s: %v", room, err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

// eventually polls cond until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, waitFor)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

// TestAdminCluster: two duplex nodes and a Node node with @socket.io/admin-ui
// on one Redis. The admin logged in to duplex node A sees the three servers
// (server_stats with each serverId), every socket of the cluster with its
// transport (all_sockets by fetchSockets), the live events of the other
// nodes, and its join, emit, leave and _disconnect act on the sockets of the
// other duplex node and of the Node node. The admin logged in to the Node
// node sees the duplex servers and the duplex sockets with their transport.
func TestAdminCluster(t *testing.T) {
	hashB, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash := string(hashB)
	for _, mode := range []string{"streams", "classic"} {
		t.Run(mode, func(t *testing.T) {
			rs := redistest.Start(t)
			srvA, urlA := duplexNode(t, mode, rs.Addr(), "duplex-a", hash)
			_, urlB := duplexNode(t, mode, rs.Addr(), "duplex-b", hash)
			urlN := nodeNode(t, mode, rs.Addr(), "node-n", hash)
			eventually(t, "three servers in the cluster", func() bool {
				n, err := srvA.Of("/").Adapter().ServerCount(context.Background())
				return err == nil && n == 3
			})

			u1 := connectUser(t, "u1", urlA, clientengine.WebSocket)
			u2 := connectUser(t, "u2", urlB, clientengine.Polling)
			u3 := connectUser(t, "u3", urlN, clientengine.WebSocket)
			want := map[string]struct{ user, transport string }{
				u1.sock.ID(): {"u1 (duplex-a)", "websocket"},
				u2.sock.ID(): {"u2 (duplex-b)", "polling"},
				u3.sock.ID(): {"u3 (node-n)", "websocket"},
			}
			checkSockets := func(what string, got map[string]socketView) {
				t.Helper()
				for id, w := range want {
					s, ok := got[id]
					switch {
					case !ok:
						t.Errorf("%s: all_sockets lacks %s", what, w.user)
					case s.Nsp != "/" || s.Transport != w.transport || s.ClientID == "" || !slices.Contains(s.Rooms, id):
						t.Errorf("%s: %s shown as %+v, want nsp / on %s with a clientId", what, w.user, s, w.transport)
					case s.Data["_admin"] != nil:
						t.Errorf("%s: %s shows the admin's own data: %v", what, w.user, s.Data)
					}
				}
			}

			// The admin of duplex node A: every server, every socket.
			fa := adminClient(t, urlA)
			fa.wait(t, "admin on A", "config", nil)
			checkSockets("admin on duplex-a", fa.allSockets(t, "admin on A"))
			fa.serverIDs(t, "admin on A", "duplex-a", "duplex-b", "node-n")

			// The admin of the Node node sees the duplex nodes alike.
			fn := adminClient(t, urlN)
			fn.wait(t, "admin on N", "config", nil)
			checkSockets("admin on node-n", fn.allSockets(t, "admin on N"))
			fn.serverIDs(t, "admin on N", "duplex-a", "duplex-b", "node-n")

			// join with a filter: the sockets of the other nodes join "vip";
			// their nodes' room_joined reach the admin on A.
			roomEvent := func(nsp, room, id string) func([]json.RawMessage) bool {
				return func(a []json.RawMessage) bool {
					return len(a) >= 3 && string(a[0]) == `"`+nsp+`"` && string(a[1]) == `"`+room+`"` && string(a[2]) == `"`+id+`"`
				}
			}
			_ = fa.sock.Emit("join", "/", "vip", u2.sock.ID())
			_ = fa.sock.Emit("join", "/", "vip", u3.sock.ID())
			fa.wait(t, "join u2", "room_joined", roomEvent("/", "vip", u2.sock.ID()))
			fa.wait(t, "join u3", "room_joined", roomEvent("/", "vip", u3.sock.ID()))
			if got, w := members(t, srvA, "vip"), sorted(u2.sock.ID(), u3.sock.ID()); !slices.Equal(got, w) {
				t.Fatalf("vip after join: %v, want %v", got, w)
			}

			// emit to a room: the members on the other nodes get it.
			_ = fa.sock.Emit("emit", "/", "vip", "greet", "hello vip")
			for _, u := range []*user{u2, u3} {
				select {
				case g := <-u.greet:
					if g != "hello vip" {
						t.Errorf("%s got greet %q", u.name, g)
					}
				case <-time.After(waitFor):
					t.Fatalf("%s did not get the admin's emit to vip", u.name)
				}
			}
			select {
			case g := <-u1.greet:
				t.Errorf("u1, not in vip, got greet %q", g)
			default:
			}

			// leave with a filter, on the Node node's socket.
			_ = fa.sock.Emit("leave", "/", "vip", u3.sock.ID())
			fa.wait(t, "leave u3", "room_left", roomEvent("/", "vip", u3.sock.ID()))
			eventually(t, "vip after leave", func() bool { return slices.Equal(members(t, srvA, "vip"), []string{u2.sock.ID()}) })

			// _disconnect with a filter: a socket of each other node.
			_ = fa.sock.Emit("_disconnect", "/", false, u2.sock.ID())
			_ = fa.sock.Emit("_disconnect", "/", true, u3.sock.ID())
			for _, u := range []*user{u2, u3} {
				select {
				case <-u.gone:
				case <-time.After(waitFor):
					t.Fatalf("%s was not disconnected by the admin on duplex-a", u.name)
				}
				id := ""
				for k, w := range want {
					if strings.HasPrefix(w.user, u.name) {
						id = k
					}
				}
				fa.wait(t, "disconnect "+u.name, "socket_disconnected", func(a []json.RawMessage) bool {
					return len(a) >= 2 && string(a[1]) == `"`+id+`"`
				})
			}
			if !u1.sock.Connected() {
				t.Error("u1 was disconnected too")
			}
		})
	}
}
