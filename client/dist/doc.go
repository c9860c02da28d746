// Package dist serves duplex's browser client: the socket.io.js loader, the Go
// runtime glue wasm_exec.js and the WebAssembly client client.wasm.
//
// Mount [Handler] as the Socket.IO server's ServeClient handler, or at
// /socket.io/ next to it: a page then loads the client as it loads the
// official one,
//
//	<script src="/socket.io/socket.io.js"></script>
//	<script>const socket = io();</script>
//
// The loader defines io at once and queues what the page does with it
// (emit, connect, disconnect) until the wasm client has started; listeners
// (on, once, off, onAny) are plain JavaScript and work at once. It opens the
// connection of such a socket itself, as socket.io-client would: the
// Engine.IO polling handshake at once, then the Socket.IO CONNECT (with the
// socket's auth) and the first poll; the Go client makes the same requests
// and takes these responses instead (io.duplex.take), so that the round
// trips overlap the download and compile of client.wasm and the Go client
// owns the session from its first request. What
// the loader does not implement of socket.io-client's API throws an Error
// naming it (docs/browser.md has the table).
//
// Responses carry a strong ETag and honour If-None-Match (304). The loader is
// revalidated on each load (Cache-Control: no-cache); it asks for wasm_exec.js
// and client.wasm with a version query (the hash of both files), and those
// versioned responses are cached for a year (immutable). A request that
// accepts brotli gets name.br when the directory has it; one that accepts
// gzip gets name.gz when present, or a gzip encoding made once in memory.
// Responses allow any origin (Access-Control-Allow-Origin: *), so that a page
// served elsewhere can load the client from the Socket.IO server.
package dist
