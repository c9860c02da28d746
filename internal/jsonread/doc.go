// Package jsonread reads JSON text the way encoding/json's Unmarshal does,
// for the few shapes the protocol and the client decode (a handshake, a
// CONNECT reply, a CONNECT_ERROR, an auth object, a string) without linking
// encoding/json's reflection-driven decoder into the browser build: Valid is
// json.Valid, Unquote is Unmarshal into a string, Object walks the members of
// an object with their keys unquoted, Int64 is Unmarshal of a number into an
// int64, and KeyMatches is how Unmarshal matches a key to a struct field.
// The fuzz tests compare each with encoding/json.
package jsonread
