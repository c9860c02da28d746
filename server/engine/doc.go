// Package engine is a bare Engine.IO v4 server: an http.Handler that opens
// sessions over HTTP long-polling and WebSocket, upgrades polling sessions to
// WebSocket, keeps them alive with the server-initiated heartbeat and delivers
// their message packets to a Handler.
//
// It speaks the protocol of the reference engine.io 6.6 server (see
// docs/protocol.md): the official engine.io-client connects to it
// unchanged. The Socket.IO server in package server is one user of it.
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
// On Linux an idle WebSocket session owns no goroutine: its reader is
// parked, its connection watched by the Server's epoll instance (one
// goroutine per Server, ended by Server.Close), and a reader goroutine is
// started when the connection has something to read; a busy session keeps
// its reader. The reader is started by the server (and Server.Close waits for
// it) so that the ServeHTTP call that accepted the WebSocket returns and
// net/http frees the request. After Hijack the connection is the engine's: a
// parked connection closed by other code is only noticed at its ping
// timeout. Elsewhere (and for connections without a file descriptor, TLS)
// an idle reader waits in a shallow poll of the socket, a goroutine with the
// smallest stack (2 KB). An idle session holds no read buffer: bytes are
// read into a pooled buffer, given back once they are used, and a message's
// payload is its only allocation. What a handler sends while it
// runs on the reader is written by the reader once the handler returns;
// other sends (broadcasts) are written by a short-lived flush goroutine
// started when none is running. What a flush takes from the queue at once
// goes out in one write to the connection (one frame per packet, a pooled
// buffer held only while writing). A polling GET waits in its own ServeHTTP
// call and answers with everything queued; when the send that woke it came
// from elsewhere than the session's own handler (a broadcast loop), it
// yields first, and again while more is queued (a few times at most), so
// that a burst goes out in one response. Heartbeats use one timer per session. Server.Close closes every
// session and waits for every goroutine the server started.
//
// Logs go to Options.Logger: session lifecycle at Debug, unexpected errors at
// Warn. Session ids are never logged.
//
// # Cookie
//
// With Options.Cookie the handshake response of a polling session sets a
// cookie carrying the session id, as engine.io's `cookie` option does
// (default "io=<sid>; Path=/; HttpOnly; SameSite=Lax"): a load balancer that
// routes by cookie then sends the session's later requests (its GETs, POSTs
// and upgrade) to the same server. Like the reference, the WebSocket
// handshake does not set it.
//
// # CORS
//
// Options.CORS answers as the `cors` npm package the reference uses. With
// Credentials and no Origins (or "*") it fails safe as that package does:
// the answer is "Access-Control-Allow-Origin: *" with
// "Access-Control-Allow-Credentials: true", a combination browsers refuse for
// credentialed requests, so no site can read a handshake made with its
// visitor's cookies. An origin is echoed only when Origins or AllowOrigin
// allows it.
//
// # Deviations from the reference
//
//   - A close packet ("1") received over WebSocket closes the session (the
//     reference ignores it).
//   - A ping from the client closes the session with ReasonTransportError (the
//     reference's "invalid heartbeat direction").
//   - WebSocket requests for a refused Origin, or an upgrade when
//     DisableUpgrades is set, are answered with an HTTP 400 before the
//     WebSocket handshake. (As in the reference, a WebSocket for a session
//     that is already upgraded, upgrading or closing is accepted and closed at
//     once, and one for an unknown session gets 400.)
//   - A POST over MaxHTTPBufferSize gets 413 and closes the session
//     (ReasonTransportError, an error wrapping eio.ErrPayloadTooLarge): the
//     reference answers 413 and leaves the session to its client, which
//     closes it on that answer. A POST whose session ends while its body is
//     arriving is ended, its connection closed without an answer, as the
//     reference destroys it.
//   - Requests of one polling session that arrive together reach the
//     Server in either order (net/http serves each connection on its own
//     goroutine and does not tell which request arrived first). A client
//     sends no GET after its close packet and has one GET in flight at most:
//     when no GET was pending as the close packet was handled, the first GET
//     for the session within 2 s was sent before it, and gets the noop it
//     would have got had it been handled first (the reference, one event
//     loop, handles them in arrival order), not 400.
//   - When Options.CORS restricts origins, WebSocket requests from other
//     origins are refused (the reference accepts any origin on WebSocket).
//   - Server.Close drops polling sessions that have no GET pending at once
//     (the reference waits up to 30 s for a GET to carry the close packet;
//     Session.Close still does), and 250 ms later drops every session and
//     cuts every connection still open, whatever its state (a session
//     already closing, a websocket client that does not answer the close
//     frame): it returns in well under a second.
//
// # WebSocket
//
// The engine speaks RFC 6455 itself on the connections it accepts, through
// its own codec (server/internal/ws: the handshake, the frame reader and
// the batching frame writer; the engine owns each connection's reader,
// parking and close). It makes the checks of the reference's ws library: client frames must be masked,
// control frames final and at most 125 bytes, RSV bits clear unless
// permessage-deflate was negotiated; a violation closes the connection with
// 1002 (1007 for invalid UTF-8, 1009 for a message over MaxHTTPBufferSize)
// and the session with ReasonTransportError and an error wrapping
// ErrWebsocketProtocol or ErrMessageTooBig. Pings are answered in order with
// the data frames; a close frame is answered and the connection closed. A
// server-side close sends 1000 and waits at most 5 s for the client's close
// frame. A text packet is written as one frame (type character and data);
// with PerMessageDeflate (no context takeover either way) messages of 1024
// bytes or more are compressed, a message sent to many sessions (a
// broadcast) once for all of them. Binary messages are one binary frame.
package engine
