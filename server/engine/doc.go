// Package engine is a bare Engine.IO v4 server: an http.Handler that opens
// sessions over HTTP long-polling and WebSocket, upgrades polling sessions to
// WebSocket, keeps them alive with the server-initiated heartbeat and delivers
// their message packets to a Handler.
//
// It speaks the protocol of the reference engine.io 6.6 server (see
// PROTOCOL.md): the official engine.io-client connects to it unchanged. The
// Socket.IO server in package server is one user of it.
//
// # Sessions
//
// Options.OnSession is called for every new session before its open packet is
// sent; it must install a Handler with Session.SetHandler. The Handler receives
// message packets in order, never concurrently, and OnClose exactly once.
// Session.Send queues packets without blocking: a WebSocket session writes
// them from a short-lived flush goroutine, a polling session hands them to the
// client's pending GET. The queue is bounded in packets (MaxQueuedPackets)
// and in bytes not yet written (MaxQueuedBytes): a client that stops reading
// is disconnected (ReasonTransportError, ErrQueueFull) instead of piling up
// memory. The engine answers pings, probes and upgrades itself.
//
// # Goroutines and memory
//
// A session owns no goroutine while idle except its WebSocket reader, which
// the server starts (and Server.Close waits for) so that the ServeHTTP call
// that accepted the WebSocket can return and net/http can free the request.
// An idle reader waits for the next message in a shallow poll of the socket
// (a goroutine with the smallest stack, 2 KB); the read buffer is 512 bytes.
// Writes to a WebSocket are made by a short-lived flush goroutine started by
// Send when none is running; what it takes from the queue at once goes out
// in one write to the connection (one frame per packet, a pooled buffer held
// only while writing). A polling GET waits in its own ServeHTTP call.
// Heartbeats use one timer per session. Server.Close closes every session and
// waits for every goroutine the server started.
//
// Logs go to Options.Logger: session lifecycle at Debug, unexpected errors at
// Warn. Session ids are never logged.
//
// # Deviations from the reference
//
//   - A close packet ("1") received over WebSocket closes the session (the
//     reference ignores it).
//   - A ping from the client closes the session with ReasonTransportError (the
//     reference's "invalid heartbeat direction").
//   - WebSocket requests that cannot become an upgrade (unknown session,
//     session already upgraded or upgrading, bad Origin) are answered with an
//     HTTP error before the WebSocket handshake instead of being accepted and
//     closed.
//   - When Options.CORS restricts origins, WebSocket requests from other
//     origins are refused (the reference accepts any origin on WebSocket).
//   - Server.Close drops polling sessions that have no GET pending at once
//     (the reference waits up to 30 s for a GET to carry the close packet;
//     Session.Close still does).
//
// # Wire notes
//
// A text packet is written as one WebSocket message through one
// websocket.Writer without concatenating the type character and the data, so
// it travels as a fragmented message (a frame with the type character, a
// continuation frame with the data, an empty final frame); every WebSocket
// implementation reassembles it. With PerMessageDeflate, messages above the
// compression threshold are written whole, as one compressed frame. Binary
// messages are one binary frame.
//
// Accepted WebSockets use 512 B read and 1 KB write buffers instead of the
// 4 KB + 4 KB that net/http hands over with a hijacked connection: an idle
// WebSocket session costs about 10 KB of heap and stack (see
// BenchmarkIdleWebsocketMemory).
package engine
