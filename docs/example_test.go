package docs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/server"
)

// The functions below, down to the Examples, are the README's snippets, word
// for word (TestReadmeSnippetsAreExamples checks it).

type Chat struct {
	Room string `json:"room"`
	Text string `json:"text"`
}

func chatHandlers(s *server.Socket) {
	server.On(s, "chat", func(e *server.Event, m Chat) {
		s.To(m.Room).Emit("chat", m) // to the room, except the sender
		e.Ack("ok")
	})
}

func helloClient(ctx context.Context, url string) error {
	sock := client.Connect(url, nil) // "http://localhost:3000"
	defer sock.Manager().Close()
	sock.On("hello-server", func(e *client.Event) { fmt.Println(string(e.Args.Raw(0))) })
	sock.Emit("hello-message", "hello from client") // buffered until connected

	reply, err := sock.EmitWithAck(ctx, "chat", Chat{Room: "lobby", Text: "hi"})
	if err != nil {
		return err
	}
	fmt.Println(string(reply.Raw(0))) // "ok"
	return nil
}

func rooms(io *server.Server) {
	io.OnConnection(func(s *server.Socket) {
		server.On(s, "join", func(e *server.Event, room string) {
			s.Join(room)
			s.To(room).Emit("newcomer", s.ID())     // everyone in the room but s
			io.To(room).Emit("news", "hello "+room) // everyone in the room
			e.Ack("joined " + room)
		})
	})
}

func namespaces(io *server.Server) {
	admin := io.Of("/admin")
	admin.OnConnection(func(s *server.Socket) {
		s.Emit("welcome", "admin")
	})
}

func adminClient(url string) *client.Socket {
	return client.Connect(url+"/admin", nil) // "http://localhost:3000/admin"
}

func middleware(io *server.Server) {
	io.Of("/private").Use(func(s *server.Socket, next func(error)) {
		var auth struct {
			Token string `json:"token"`
		}
		if json.Unmarshal(s.Handshake().Auth, &auth) != nil || auth.Token != "secret" {
			next(&server.ConnectError{Message: "not authorized"})
			return
		}
		next(nil)
	})
}

func privateClient(url, token string) *client.Socket {
	m, _ := client.NewManager(url, nil)
	return m.Socket("/private", &client.SocketOptions{Auth: map[string]string{"token": token}})
}

func binary(s *server.Socket) {
	server.On(s, "upload", func(e *server.Event, data []byte) {
		e.Ack(len(data))
	})
	s.Emit("thumbnail", []byte{0x89, 'P', 'N', 'G'})
}

func recovery() *server.Server {
	io := server.New(&server.Options{
		ConnectionStateRecovery: &server.RecoveryOptions{MaxDisconnectionDuration: 2 * time.Minute},
	})
	io.OnConnection(func(s *server.Socket) {
		if s.Recovered() {
			return // same id, rooms and data; the missed events were sent
		}
		s.Join("lobby")
		s.Emit("welcome", "a new session") // events carry the offset a client recovers from
	})
	return io
}

func reconnecting(url string) *client.Socket {
	sock := client.Connect(url, &client.Options{
		ReconnectionAttempts: 10, // then OnReconnectFailed; 0 = forever
		ReconnectionDelay:    500 * time.Millisecond,
		ReconnectionDelayMax: 10 * time.Second,
	})
	sock.OnDisconnect(func(reason string) { log.Print("disconnected: ", reason) })
	sock.Manager().OnReconnect(func(attempt int) { log.Print("back after attempt ", attempt) })
	sock.Manager().OnReconnectFailed(func() { log.Print("gave up") })
	return sock
}

// The Examples: each snippet against a real server on a loopback port.

// hang bounds every wait of the Examples; they finish in milliseconds.
const hang = 10 * time.Second

// serve runs io on a test server; stop closes both.
func serve(io *server.Server) (url string, stop func()) {
	ts := httptest.NewServer(io)
	return ts.URL, func() {
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		io.Close(ctx) // disconnects the clients first
		ts.Close()
	}
}

func receive[T any](c <-chan T) T {
	select {
	case v := <-c:
		return v
	case <-time.After(hang):
		panic("timed out")
	}
}

// The README's quickstart: typed handlers on the server, the Go client with an ack.
func Example_quickstart() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.Emit("hello-server", map[string]string{"message": "hello clients"})
		chatHandlers(s)
	})
	url, stop := serve(io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	if err := helloClient(ctx, url); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"message":"hello clients"}
	// "ok"
}

func Example_rooms() {
	io := server.New(nil)
	rooms(io)
	url, stop := serve(io)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()

	alice, bob := client.Connect(url, nil), client.Connect(url, nil)
	defer alice.Manager().Close()
	defer bob.Manager().Close()
	newcomers, news := make(chan string, 1), make(chan string, 2)
	client.On(alice, "newcomer", func(_ *client.Event, id string) { newcomers <- id })
	client.On(bob, "news", func(_ *client.Event, text string) { news <- "bob: " + text })

	ack, err := alice.EmitWithAck(ctx, "join", "lobby")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(ack.Raw(0)))
	if _, err := bob.EmitWithAck(ctx, "join", "lobby"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("alice saw bob join:", receive(newcomers) == bob.ID())
	fmt.Println(receive(news))
	// Output:
	// "joined lobby"
	// alice saw bob join: true
	// bob: hello lobby
}

func Example_namespaces() {
	io := server.New(nil)
	namespaces(io)
	url, stop := serve(io)
	defer stop()

	sock := adminClient(url)
	defer sock.Manager().Close()
	welcome := make(chan string, 1)
	client.On(sock, "welcome", func(_ *client.Event, who string) { welcome <- who })
	fmt.Println("welcome", receive(welcome))
	// Output:
	// welcome admin
}

func Example_middleware() {
	io := server.New(nil)
	middleware(io)
	url, stop := serve(io)
	defer stop()

	for _, token := range []string{"guess", "secret"} {
		sock := privateClient(url, token)
		result := make(chan string, 1)
		sock.OnConnectError(func(err error) { result <- "refused: " + err.Error() })
		sock.OnConnect(func() { result <- "connected" })
		fmt.Println(token, "->", receive(result))
		sock.Manager().Close()
	}
	// Output:
	// guess -> refused: client: connect error: not authorized
	// secret -> connected
}

func Example_binary() {
	io := server.New(nil)
	io.OnConnection(binary)
	url, stop := serve(io)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()

	sock := client.Connect(url, nil)
	defer sock.Manager().Close()
	thumbs := make(chan []byte, 1)
	client.On(sock, "thumbnail", func(_ *client.Event, b []byte) { thumbs <- b })
	fmt.Printf("thumbnail % x\n", receive(thumbs))
	ack, err := sock.EmitWithAck(ctx, "upload", []byte("some bytes"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("the server got", string(ack.Raw(0)), "bytes")
	// Output:
	// thumbnail 89 50 4e 47
	// the server got 10 bytes
}

// Recovery: the client's connections are cut, as when a network fails; it
// reconnects by itself and gets its session back.
func Example_recovery() {
	log.SetOutput(io.Discard) // reconnecting logs its progress
	defer log.SetOutput(os.Stderr)
	srv := recovery()
	url, stop := serve(srv)
	defer stop()
	network := newCuttable(url) // a TCP relay between the client and the server
	defer network.close()

	sock := reconnecting(network.url)
	defer sock.Manager().Close()
	connects := make(chan bool, 2)
	sock.OnConnect(func() { connects <- sock.Recovered() })
	fmt.Println("first connection, recovered:", receive(connects))
	id := sock.ID()
	for deadline := time.Now().Add(hang); sock.Manager().Transport() != "websocket"; {
		if time.Now().After(deadline) {
			panic("no upgrade to websocket")
		}
		time.Sleep(10 * time.Millisecond) // the upgrade completes: cut an established websocket
	}

	network.cut()
	fmt.Println("after the cut, recovered:", receive(connects))
	fmt.Println("same socket id:", sock.ID() == id)
	// Output:
	// first connection, recovered: false
	// after the cut, recovered: true
	// same socket id: true
}

// cuttable relays TCP connections to a server; cut closes every connection
// relayed so far, as a failing network does.
type cuttable struct {
	url string
	ln  net.Listener
	wg  sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func newCuttable(target string) *cuttable {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	c := &cuttable{url: "http://" + ln.Addr().String(), ln: ln}
	addr := strings.TrimPrefix(target, "http://")
	c.wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			c.wg.Go(func() { io.Copy(out, in); out.Close() })
			c.wg.Go(func() { io.Copy(in, out); in.Close() })
		}
	})
	return c
}

func (c *cuttable) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func (c *cuttable) close() {
	c.ln.Close()
	c.cut()
	c.wg.Wait()
}
