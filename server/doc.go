// Package server is a Socket.IO v5 server (the socket.io@4 protocol) built on
// the Engine.IO server of package server/engine: any Socket.IO v4 client
// (the official socket.io-client, duplex's Go client) talks to it as it would
// to the Node reference.
//
// A Server is an http.Handler; mount it at /socket.io/:
//
//	srv := server.New(nil)
//	srv.OnConnection(func(s *server.Socket) {
//		s.On("hello", func(e *server.Event) { e.Ack("world") })
//	})
//	mux.Handle("/socket.io/", srv)
//
// # Namespaces, rooms, broadcasts
//
// Of returns a namespace; OfRegexp and OfFunc create namespaces on demand.
// Middlewares (Namespace.Use) accept or refuse a connection; a *ConnectError
// refusal carries data to the client's connect_error. Sockets Join and Leave
// rooms; To, In, Except, Broadcast, Volatile, Timeout and Local build an
// immutable BroadcastOperator that emits (encoding the packet once for every
// recipient), collects acks (EmitWithAck), fetches, moves or disconnects
// sockets. Rooms live in the namespace's Adapter (in memory by default; the
// interface allows one spanning several servers).
//
// # Binary data
//
// A []byte anywhere in an argument (alone, or in a struct, a map or a slice)
// is sent as a binary attachment, which socket.io-client receives as a
// Buffer or an ArrayBuffer where it was; Args.Decode gives received
// attachments back as []byte, into []byte fields and interfaces alike (see
// the binary Example).
//
// # Options
//
// Options holds the Socket.IO settings; its Engine field is the
// engine.Options of the Engine.IO server underneath (transports, heartbeat,
// buffer and queue bounds, CORS, compression), passed on as it is.
//
// # Handlers and goroutines
//
// A connection's handlers (event handlers, OnAny, socket middlewares, acks,
// and the connection handlers when the namespace middlewares answer
// synchronously) run on that connection's read loop, in order, as Node runs
// them on its event loop: a handler that blocks stalls its connection. So
// EmitWithAck, which waits for a reply carried by a read loop, must not be
// called directly from a handler: start a goroutine (and end it, e.g. with a
// context). Server.Close disconnects everyone and ends every goroutine the
// server started.
//
// # Connection state recovery
//
// With Options.ConnectionStateRecovery set, the CONNECT reply carries a
// private session id, every event without ack gets an offset argument, and a
// client that reconnects within MaxDisconnectionDuration gets its socket id,
// rooms and Data back, plus the events it missed (Socket.Recovered is true).
// What is kept is bounded: expired sessions and packets are dropped by a timer
// of the adapter, and at most RecoveryOptions.MaxBufferedPackets packets are
// kept per namespace.
//
// # Memory
//
// Nothing per socket outlives its disconnection (rooms, acks and their
// timers, its place in the namespace) except, with recovery, its session
// until it expires. Child namespaces of OfRegexp and OfFunc stay once created,
// as in the reference, unless Options.CleanupEmptyChildNamespaces is set.
//
// # Differences from the reference
//
//   - An EVENT that follows its CONNECT in the same payload is delivered when
//     the namespace's middlewares call next synchronously (the reference closes
//     the session: its connection is always asynchronous).
//   - Ack ids come from one counter per namespace (as the reference), so a
//     socket's first ack id is 0 only if it is the namespace's first.
//   - An event middleware's error goes to the socket's OnError handlers (the
//     reference emits an "error" event), or to the log when there is none.
//   - Compress flags are accepted but advisory: the engine compresses by its
//     own options.
//   - A broadcast Emit takes no AckFunc: use EmitWithAck.
//   - The recovery buffer is bounded (RecoveryOptions.MaxBufferedPackets);
//     the reference keeps every packet of MaxDisconnectionDuration.
//   - With CleanupEmptyChildNamespaces, a child namespace whose only
//     connection attempt was refused is removed too (the reference removes
//     it only when a connected socket leaves).
package server
