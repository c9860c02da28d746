// Package loadgen is a light Socket.IO load generator: raw WebSocket
// connections that speak just enough Engine.IO v4 / Socket.IO v5 (handshake,
// namespace CONNECT, pong, events with acks, counting "msg" events) to drive a
// server hard without a full client object per connection.
//
// It talks to any server implementing the duplex benchmark contract on the
// default namespace: "echo" acks its arguments, "join" joins a room and acks,
// "bcast" {count,size,room?} emits "msg" with a size-byte string count times
// to every socket (or the room) and then acks.
package loadgen
