// Package jsinterop holds the client's GOOS=js interop test: built with the
// duplex_jsinterop tag and run under Node by TestWasmUnderNode (package
// client), which starts the server and passes its URL in DUPLEX_TEST_URL. It
// exercises fetch polling, the browser WebSocket and the upgrade under js.
package jsinterop
