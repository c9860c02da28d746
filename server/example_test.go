package server_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/duplexio/duplex/server"
)

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
