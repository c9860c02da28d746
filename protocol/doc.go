// Package protocol holds the wire formats of Socket.IO: Engine.IO v4 packets in
// package eio and Socket.IO v5 packets in package sio, pure Go with no I/O.
//
// Both subpackages compile for servers and for GOOS=js GOARCH=wasm, and are shared
// by duplex's server and client so that both ends of the wire speak exactly the
// same bytes. The behaviour follows the reference implementations
// engine.io-parser 5.2.3 and socket.io-parser 4.2.7.
package protocol
