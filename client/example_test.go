package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/protocol/sio"
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

// A relay with NewRawManager: what it receives from one server it forwards
// to another as it arrived, JSON text and binary attachments, without
// decoding or re-encoding (and without linking the reflection-based
// encoder).
func ExampleNewRawManager() {
	from := client.Connect("http://localhost:3000", nil)
	defer from.Disconnect()
	m, err := client.NewRawManager("http://localhost:4000", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	to := m.Socket("/", &client.SocketOptions{Auth: json.RawMessage(`{"token":"relay"}`)})
	from.On("news", func(e *client.Event) {
		args := make([]any, 0, e.Args.Len())
		for _, raw := range e.Args.All() {
			args = append(args, sio.RawWithAttachments{JSON: raw, Attachments: e.Args.Attachments()})
		}
		if err := to.Emit("news", args...); err != nil {
			log.Println(err)
		}
	})
}
