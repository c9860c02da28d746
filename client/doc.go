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
// callbacks, AuthFunc) runs on one goroutine owned by the Manager, its loop,
// one at a time, like Node's event loop runs them. A handler that blocks
// stalls the connection (no more packets are read, pings go unanswered):
// call EmitWithAck from a handler only in a new goroutine. A socket whose
// handlers never wait (SocketOptions.NonBlockingHandlers) has its event, ack,
// connect, disconnect and connect-error handlers called on the goroutine
// that received the packet instead (in the browser, inside the WebSocket's
// JavaScript callback), when the loop has nothing queued before them: no
// goroutine switch per packet, same order.
//
// The state of a Manager and of its sockets is guarded by one mutex. A change
// that calls for handlers (a packet received, the connection opening or
// ending, a timer, Disconnect) queues a callback while it holds that mutex,
// so callbacks are queued in the order things happened; they run first in
// first out, one at a time, without the mutex, on the loop or (those of
// NonBlockingHandlers sockets) on the receiving goroutine (callback.go lists
// them all).
// The handlers of a callback are looked up when it runs: a handler added
// before then is called, even if it was added after the thing happened. In
// practice handlers added just after Connect returns are in place before
// anything can happen (the connection needs network round trips); to be
// strict, use Options.Socket.NoAutoConnect, add handlers, then Socket.Connect.
//
// The order, for each thing that happens ("each socket" goes in the order
// the sockets were created):
//
//   - The connection opens: a CONNECT is sent for each socket that wants to
//     connect (its AuthFunc is called), then OnOpen, then, after a
//     reconnection, OnReconnect(attempts).
//   - A namespace connects: the events that arrived before the CONNECT reply
//     are delivered, the emits buffered while disconnected are sent, the
//     Retries queue resumes, then OnConnect.
//   - An event arrives: the OnAny handlers, then the event's On and Once
//     handlers, in the order they were added. An ack arrives: its AckFunc.
//   - The connection ends (reason "transport close", "ping timeout", ...):
//     OnClose(reason), then, for each connected socket, ErrDisconnected to
//     its pending acks and OnDisconnect(reason); then a reconnection is
//     scheduled. Before each attempt: OnReconnectAttempt(n). A failed attempt:
//     OnReconnectError, OnError, then OnConnectError of each socket trying to
//     connect. Attempts exhausted: OnReconnectFailed.
//   - Socket.Disconnect: the DISCONNECT is sent, pending acks fail,
//     OnDisconnect("io client disconnect"); when no other socket of the
//     Manager is active, the connection closes (after the DISCONNECT is
//     written) and OnClose("forced close") follows.
//   - The server disconnects a socket or refuses it: when it was the last
//     active socket the connection closes first, then OnDisconnect("io server
//     disconnect") or OnConnectError(*ConnectError), then OnClose("forced close").
//   - A bad URL: OnError, then OnConnectError; an OnConnectError handler
//     added after that report hears it too (Connect cannot return it).
//   - An ack times out: its AckFunc gets ErrTimeout.
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
