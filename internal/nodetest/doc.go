// Package nodetest runs the pinned Node.js reference packages (socket.io,
// socket.io-client, engine.io-parser, ...) from tests, failing loudly when Node
// or the packages are missing instead of skipping.
package nodetest
