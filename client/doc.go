// Package client is a Socket.IO v5 client for Go, native and in the browser
// (GOOS=js GOARCH=wasm), modelled on socket.io-client.
//
// [Connect] returns a [Socket] for the URL's namespace on a new [Manager];
// a Manager multiplexes the sockets of several namespaces over one Engine.IO
// session (package engine), reconnects with exponential backoff and jitter,
// and re-connects its sockets (recovering their state when the server
// enables connection state recovery).
//
//	sock := client.Connect("http://localhost:3000", nil)
//	sock.On("hello-server", func(e *client.Event) { fmt.Println(e.Args.Raw(0)) })
//	sock.Emit("hello-message", "hello from client")
//
// # Handlers
//
// Every handler of a Manager and of its sockets (events, acks, lifecycle
// callbacks) runs on one goroutine owned by the Manager, in the order things
// happened, like Node's event loop runs them. A handler that blocks stalls the
// connection (no more packets are read, pings go unanswered): call
// EmitWithAck from a handler only in a new goroutine.
//
// # Goroutines
//
// The Manager's goroutines run while it is connected or reconnecting;
// [Manager.Close] (or Disconnect of its last socket) ends them.
package client
