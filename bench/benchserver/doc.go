// Package benchserver is the duplex side of the benchmark contract: a
// Socket.IO server (websocket transport only) whose default namespace answers
// "echo", "join" and "bcast" exactly as bench/node/server.js does.
package benchserver
