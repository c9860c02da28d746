// Package engine is an Engine.IO v4 client: handshake, HTTP long-polling and
// WebSocket transports, the polling to WebSocket upgrade and the heartbeat.
//
// [Dial] opens a session; [Conn.Send] queues packets (they are batched into
// one POST on polling, one frame each on WebSocket); [Conn.Packets] delivers
// the received message packets in order and is closed when the session ends,
// after which [Conn.Err] tells why (a [*CloseError] carrying one of the
// Reason constants). [Options.OnMessages] receives them instead, on the
// goroutine that read them (in the browser, in the WebSocket's JavaScript
// callback), without a goroutine switch.
//
// Every goroutine of a Conn is ended by [Conn.Close] or by the session ending.
//
// # Wasm
//
// Built with GOOS=js GOARCH=wasm, polling uses the browser's fetch (through
// client/internal/safejs, syscall/js returning errors) and the WebSocket transport the browser's
// WebSocket, also through safejs: net/http is not even a dependency (natively
// coder/websocket and net/http are used). [Options.Header] is ignored there
// (browsers do not let scripts set them). On a page with the loader
// (client/dist/socket.io.js), the frames that arrive while the page is busy
// are handed to Go in one call (io.duplex.receive); on a page written in Go,
// a small JavaScript function made with Function does the same (where a
// Content-Security-Policy forbids that, each frame is a call).
package engine
