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
// Handlers added after Connect returns are in place before the first
// packet can arrive in practice (the connection needs network round trips);
// to be strict, use Options.Socket.NoAutoConnect, add handlers, then Socket.Connect.
//
// # Goroutines
//
// The Manager's goroutines run while it is connected or reconnecting;
// [Manager.Close] (or Disconnect of its last socket) ends them.
//
// # Differences from socket.io-client
//
//   - Connect always creates a new Manager (no global cache of managers, no
//     forceNew/multiplex options): share a connection with NewManager and
//     Manager.Socket.
//   - Ack callbacks still pending when the socket disconnects get
//     ErrDisconnected (socket.io-client only fails those with a timeout and
//     forgets the others), so EmitWithAck never waits for an ack that cannot come.
//   - Volatile packets are dropped when the socket is not connected;
//     socket.io-client also drops them while a polling request is in flight.
//   - The send buffer used while disconnected is bounded (SendBufferSize):
//     Emit returns ErrBufferFull instead of growing without limit.
//   - A second Connect while a CONNECT is pending sends nothing (the
//     reference server closes a session that sends CONNECT twice).
//   - Only the "polling" and "websocket" transports exist (no webtransport).
//   - Options.Engine.Header is sent natively only (browsers forbid it).
package client
