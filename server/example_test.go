package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/server"
)

// A server and duplex's Go client, end to end: the client emits with an ack,
// the server prints the message, answers and greets the client.
func Example() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.On("hello-message", func(e *server.Event) {
			var msg string
			_ = e.Decode(&msg)
			fmt.Println("server got:", msg)
			_ = e.Ack("thanks")
		})
		_ = s.Emit("hello-server", map[string]string{"message": "hello clients"})
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	defer io.Close(context.Background()) // before ts.Close: disconnects the clients

	sock := client.Connect(ts.URL, nil)
	defer sock.Manager().Close()
	greeting := make(chan string, 1)
	sock.On("hello-server", func(e *client.Event) {
		var m struct{ Message string }
		_ = e.Args.Decode(0, &m)
		greeting <- m.Message
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Emits before the connection completes are buffered by the client.
	reply, err := sock.EmitWithAck(ctx, "hello-message", "hello from Go")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("client got ack:", string(reply.Raw(0)))
	select {
	case g := <-greeting:
		fmt.Println("client got:", g)
	case <-ctx.Done():
		fmt.Println(ctx.Err())
	}
	// Output:
	// server got: hello from Go
	// client got ack: "thanks"
	// client got: hello clients
}

// A namespace middleware refuses connections with data for the client's
// connect error.
func ExampleNamespace_Use() {
	io := server.New(nil)
	admin := io.Of("/admin")
	admin.Use(func(s *server.Socket, next func(error)) {
		var auth struct{ Token string }
		_ = json.Unmarshal(s.Handshake().Auth, &auth)
		if auth.Token != "secret" {
			next(&server.ConnectError{Message: "not authorized", Data: map[string]string{"hint": "log in"}})
			return
		}
		next(nil)
	})
	ts := httptest.NewServer(io)
	defer ts.Close()
	defer io.Close(context.Background())

	for _, token := range []string{"guess", "secret"} {
		sock := client.Connect(ts.URL+"/admin", &client.Options{Socket: client.SocketOptions{Auth: map[string]string{"token": token}}, NoReconnection: true})
		result := make(chan string, 1)
		sock.OnConnect(func() { result <- "connected" })
		sock.OnConnectError(func(err error) {
			var ce *client.ConnectError
			if errors.As(err, &ce) {
				result <- fmt.Sprintf("refused: %s %s", ce.Message, ce.Data)
			}
		})
		select {
		case r := <-result:
			fmt.Println(token+":", r)
		case <-time.After(10 * time.Second):
			fmt.Println(token+":", "no answer")
		}
		sock.Manager().Close()
	}
	// Output:
	// guess: refused: not authorized {"hint":"log in"}
	// secret: connected
}

// The hello example: the server prints what clients say and greets them.
func ExampleNew() {
	io := server.New(nil) // reference defaults: pingInterval 25 s, pingTimeout 20 s, maxHttpBufferSize 1e6
	io.OnConnection(func(s *server.Socket) {
		s.On("hello-message", func(e *server.Event) {
			var msg string
			_ = e.Decode(&msg)
			fmt.Println(msg)
		})
		_ = s.Emit("hello-server", map[string]string{"message": "hello clients"})
	})

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io) // any router: the Server is an http.Handler
	mux.Handle("/", http.FileServer(http.Dir("www")))
	srv := &http.Server{Addr: ":3000", Handler: mux}
	go func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Print(err)
		}
	}()
	// ... on shutdown:
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = io.Close(ctx) // disconnects every client ("server shutting down")
	_ = srv.Shutdown(ctx)
}

// Chat is a message shared by server and client code.
type Chat struct {
	Room string `json:"room"`
	Text string `json:"text"`
}

// Typed handlers decode the first argument into your own type.
func ExampleOn() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		server.On(s, "chat", func(e *server.Event, m Chat) {
			_ = s.To(m.Room).Emit("chat", m) // the room, except the sender
			_ = e.Ack("ok")
		})
	})
}

// Broadcasts select sockets by room; the packet is encoded once for all.
func ExampleServer_To() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.Join("lobby")
		_ = io.To("lobby").Except(s.ID()).Emit("joined", s.ID())
		_ = io.Of("/admin").Emit("user-count", len(io.Sockets()))
	})
	// Collect one reply per client of the room, waiting at most 5 s.
	go func() {
		replies, err := io.To("lobby").Timeout(5*time.Second).EmitWithAck(context.Background(), "vote")
		fmt.Println(len(replies), err)
	}()
}

// EmitWithAck waits for the client's reply. Handlers run on the connection's
// read loop, which carries the reply too: call it from a goroutine.
func ExampleSocket_EmitWithAck() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			reply, err := s.EmitWithAck(ctx, "question", "what is your name?")
			if err != nil {
				return // timed out, disconnected
			}
			var name string
			_ = reply.Decode(0, &name)
			_ = s.Emit("greeting", "hello "+name)
		}()
		// Or the callback style, with a timeout.
		_ = s.Timeout(5*time.Second).Emit("ping", server.AckFunc(func(args server.Args, err error) {
			fmt.Println(args.Len(), err)
		}))
	})
}

// An echo: the received arguments go back in the ack as they arrived, binary
// attachments included, without being decoded or encoded again.
func ExampleEvent_AckArgs() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.On("echo", func(e *server.Event) {
			if e.HasAck() {
				_ = e.AckArgs(e.Args)
			}
		})
	})
}

// Binary data both ways: a []byte anywhere in an argument (a struct field, a
// map value, a slice element) travels as a binary attachment, as a Buffer
// inside an object does in JavaScript, and decodes as a []byte wherever the
// target has a []byte or an interface.
func Example_binary() {
	type Upload struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.On("upload", func(e *server.Event) {
			var m map[string]any // socket.io-client's {name, data: Buffer} decodes the same
			_ = e.Args.Decode(0, &m)
			fmt.Printf("server got: %v %T %v\n", m["name"], m["data"], m["data"])
			_ = e.Ack(Upload{Name: "thumb.png", Data: []byte{0x89, 'P', 'N', 'G'}})
		})
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	defer io.Close(context.Background())

	sock := client.Connect(ts.URL, nil)
	defer sock.Manager().Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reply, err := sock.EmitWithAck(ctx, "upload", Upload{Name: "photo.png", Data: []byte{1, 2, 3}})
	if err != nil {
		fmt.Println(err)
		return
	}
	var thumb Upload
	_ = reply.Decode(0, &thumb)
	fmt.Println("client got:", thumb.Name, thumb.Data)
	// Output:
	// server got: photo.png []uint8 [1 2 3]
	// client got: thumb.png [137 80 78 71]
}
