// Package ws is the server side of RFC 6455 WebSocket connections as the
// Engine.IO server uses them: the opening handshake (Accept, with
// permessage-deflate without context takeover), a frame reader that checks
// what the reference's ws library checks, and a frame writer that batches.
//
// It knows nothing of Engine.IO: package engine owns each Conn (its reader
// goroutine, its parking while idle, its sessions) and decides what the
// messages mean.
//
// # Reading
//
// One goroutine reads a Conn. ReadMessage returns whole data messages (text
// or binary), unmasked, inflated when compressed, in a new slice of their
// exact size (the only allocation of an uncompressed message of one frame);
// control frames in between are handled (a ping is answered in order with
// the data frames, a close frame answered and ErrPeerClosed returned).
// Client frames must be masked, control frames final and at most 125 bytes,
// RSV bits clear unless permessage-deflate was negotiated; a violation is
// returned as an *Error carrying the close code (1002, 1007 for invalid
// UTF-8, 1009 for a message over the limit) and wrapping ErrProtocol or
// ErrMessageTooBig. A frame header announcing a large payload costs no
// memory until its bytes arrive.
//
// The reader is resumable (parse.go): it makes a message of the bytes read
// so far or asks for more, keeping a message's frames read so far, so that
// the bytes may come from blocking reads of the connection (ReadMessage) or
// from reads of its descriptor inside a syscall.RawConn.Read callback
// (ReadInline and ReadRaw, on Unix): there the engine's reader runs its
// whole loop, handlers included, with one read(2) per message (inline.go).
//
// Nothing is buffered while a Conn is idle: bytes are read into a pooled
// buffer (BufferSize) and given back once used. A connection without a
// descriptor (TLS) waits for the client in Wait, a read of one byte in a
// shallow call, so that an idle reader's goroutine keeps the smallest
// stack.
//
// # Writing
//
// A Conn's Writer (Out) writes unmasked final frames. Between Begin and End
// it accumulates frames in a pooled buffer and writes them with one write;
// a frame larger than the buffer goes out with one writev. Its lock keeps
// frames whole and in order between the owner's writes and the reader's
// control frames. A frame's payload may start with one lead byte (an
// Engine.IO packet type) without copying the data after it.
//
// WriteCompressed writes a compressed message (RSV1). Without context
// takeover a message's compressed form depends on its bytes alone, so a
// DeflateCache shared by the connections of a server compresses a message
// written to many of them (a broadcast) once, at zlib's default level (the
// level of Node's ws); a message over DeflateCacheMax, or one written
// without a cache, is compressed for its connection at the fastest level.
//
// # Closing
//
// StartClose sends close 1000 and bounds the wait for the client's close
// frame by CloseWait; DrainAndClose reads (and discards) until that frame,
// then closes the connection; CloseNow cuts it (while the reader is inside
// ReadInline, by shutting it down: the reader closes it once out). Finish
// gives the read buffer back when the reader is done.
package ws
