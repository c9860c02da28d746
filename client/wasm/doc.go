//go:build js && wasm

// Command wasm is duplex's browser client, built to client.wasm by `make wasm`
// (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w").
//
// It is the glue between package client and JavaScript: the loader served as
// /socket.io/socket.io.js (package client/dist) defines the global io, with
// the socket.io-client API (io(url, opts), socket.emit/on/once/off/onAny,
// timeout(ms).emit, emitWithAck, id, connected, disconnect ...), loads this
// program and hands calls to it once it has started. This program gives the
// loader a backend object through io.duplex.ready(backend):
//
//	backend.socket(origin, namespace, options, sink, authFn, table) -> handle
//	handle.emit(name, argTexts, buffers, ackCallback|null, timeoutMs|-1, volatile)
//	handle.ack(ackID, argTexts, buffers)  (ackID <= -2: the loader's own event, -2 - its wire id)
//	handle.connect(); handle.disconnect(); handle.transport() -> "polling" | "websocket" | ""
//	sink("connect", id, recovered) / ("disconnect", reason, active) /
//	    ("connect_error", message, dataJSON) / ("event", u8, n, buffers|null, ackID|-1) /
//	    ("manager", eventName, value)
//
// origin is the server's URL without a path, its query string the Engine.IO
// query; options is a plain object of the socket.io-client options the
// backend reads (numbers, booleans, strings, transports); authFn(cb) gives
// socket.auth before every connection attempt.
// An event's name and arguments cross as the JSON text [name, ...args] in
// the first n bytes of the Uint8Array u8, which the next event reuses.
// Arguments cross as the JSON text of each one with socket.io's binary placeholders
// ({"_placeholder":true,"num":i}) and the binary attachments as Uint8Arrays:
// ArrayBuffer and typed arrays anywhere in the arguments become []byte on the
// Go side (attachments on the wire) and arrive in JavaScript as ArrayBuffer,
// as with socket.io-client. Every argument's JSON crosses verbatim, keys in
// the order JavaScript wrote them; one holding binary is passed to the client
// as a sio.RawWithAttachments.
//
// table is the loader's table for its fast path (route.go): the Manager the
// socket makes, if it makes one, lists in it the namespaces whose plain
// events the loader dispatches itself (table.add(namespace, sink) and
// table.set(namespace, on)), and the engine hands it to io.duplex.receive
// with each WebSocket.
//
// Calls from JavaScript never block: they copy their arguments and queue the
// work for one goroutine, which keeps the page's order of emits.
package main
