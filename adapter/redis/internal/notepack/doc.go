// Package notepack reads and writes MessagePack exactly as the npm package
// notepack.io 3.0 does (the codec of @socket.io/redis-adapter and
// @socket.io/redis-emitter), over github.com/vmihailenco/msgpack/v5.
//
// Values are JavaScript values as notepack.io sees them: nil (null), Undefined,
// bool, float64 (every number: JavaScript has no integers, and notepack.io
// writes an integral number as the smallest MessagePack integer and any other
// as a float 64), string, []byte (a Node Buffer: bin 8/16/32), ArrayBuffer
// (read from ext type 0, written as bin like notepack.io does), Date
// (milliseconds; MessagePack timestamps, ext type -1), []any and *Map (an
// object: string keys in JavaScript property order, which is insertion order
// except that array-index keys come first, ascending). Encode also takes Go
// integers, time.Time, []string and map[string]any for convenience.
//
// JSON bridges the two encodings of a socket.io packet's data the way Node
// does: FromJSON is JSON.parse plus socket.io-parser's reconstruction of
// binary placeholders, AppendJSON is its deconstruction plus JSON.stringify.
package notepack
