package client_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// The hello example: connect, listen, emit.
func ExampleConnect() {
	sock := client.Connect("http://localhost:3000", nil)
	defer sock.Disconnect()
	sock.OnConnect(func() { fmt.Println("connected as", sock.ID()) })
	sock.OnConnectError(func(err error) { log.Println("cannot connect:", err) })
	sock.On("hello-server", func(e *client.Event) { fmt.Println(e.Args.Raw(0)) })
	// Buffered until the namespace is connected.
	if err := sock.Emit("hello-message", "hello from client"); err != nil {
		log.Println(err)
	}
}

// Chat is an event type shared by the server and the client code.
type Chat struct {
	Room string `json:"room"`
	Text string `json:"text"`
}

// Typed handlers decode the first argument into the shared type.
func ExampleOn() {
	sock := client.Connect("http://localhost:3000/chat", &client.Options{Engine: engine.Options{Transports: []string{"websocket"}}})
	defer sock.Disconnect()
	client.On(sock, "chat", func(e *client.Event, m Chat) {
		fmt.Printf("[%s] %s\n", m.Room, m.Text)
		if e.HasAck() {
			_ = e.Ack("seen")
		}
	})
}

// EmitWithAck waits for the server's answer; call it outside handlers.
func ExampleSocket_EmitWithAck() {
	sock := client.Connect("http://localhost:3000", nil)
	defer sock.Disconnect()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reply, err := sock.EmitWithAck(ctx, "chat", Chat{Room: "lobby", Text: "hi"})
	if err != nil {
		log.Println(err)
		return
	}
	var status string
	_ = reply.Decode(0, &status)
	fmt.Println(status)

	// The callback style, with a timeout:
	_ = sock.Timeout(2*time.Second).Emit("chat", Chat{Room: "lobby", Text: "again"}, client.AckFunc(func(args client.Args, err error) {
		fmt.Println(args.Raw(0), err)
	}))
}

// A Manager shares one connection between namespaces.
func ExampleManager() {
	m, err := client.NewManager("http://localhost:3000", &client.Options{ReconnectionAttempts: 10})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	m.OnReconnect(func(n int) { fmt.Println("reconnected after", n, "attempts") })
	main := m.Socket("/", nil)
	admin := m.Socket("/admin", &client.SocketOptions{Auth: map[string]string{"token": "secret"}})
	admin.OnConnectError(func(err error) { fmt.Println("refused:", err) })
	_ = main.Emit("hello")
}
