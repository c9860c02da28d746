package ws

import "sync/atomic"

// Reading inside one read of the descriptor: the engine's reader of a busy
// session runs its whole loop (read, parse, handle the message, which
// writes the reply) inside one syscall.RawConn.Read callback, ReadRaw
// giving it message after message. The callback tells the runtime to wait
// (returns false) without a read attempt when the last read emptied the
// socket and everything was used: one read per message instead of two (the
// second finding nothing, EAGAIN). That prediction is only sound inside one
// RawConn.Read call: the runtime keeps a readiness notification that came
// while the callback ran and the wait returns at once, while a new call
// forgets one that came before it (internal/poll's prepareRead), so every
// ReadInline starts with a read.

// inlineState holds the bits of inlineIn and inlineClosing.
type inlineState struct{ atomic.Uint32 }

const (
	inlineIn      = 1 << iota // the reader is inside ReadInline
	inlineClosing             // CloseNow was called
)

// RawResult says what ReadRaw found.
type RawResult uint8

const (
	// RawMessage: a data message.
	RawMessage RawResult = iota
	// RawWait: nothing to use until the client sends more: the callback
	// returns false (the runtime waits until the descriptor is readable,
	// then calls it again).
	RawWait
	// RawIdle: nothing is buffered or in progress and the caller asked to
	// stop there: the callback returns true.
	RawIdle
	// RawError: the error (a protocol violation as *Error, ErrPeerClosed,
	// the connection's read error, net.ErrClosed after CloseNow): the
	// callback returns true.
	RawError
)

// ReadInline calls fn inside one read of the connection's descriptor
// (syscall.RawConn.Read): fn reads with ReadRaw and returns false to wait
// for the descriptor, true to be done. Only for a Conn with a descriptor
// (RawConn not nil), and for its reader. The error is that of the wait (the
// connection closed, the close handshake's deadline), kept as the
// connection's read error: ReadMessage reports it once the buffered bytes
// are used.
//
// A handler called from fn may close the connection (CloseNow), and so may
// any other goroutine: while the reader is in here, CloseNow shuts the
// connection down (the client sees it end, a write fails, the wait ends)
// and leaves closing the descriptor to the reader, whose next ReadRaw
// returns net.ErrClosed (a Close would wait for the reader to leave the
// descriptor: forever, from its own goroutine).
func (c *Conn) ReadInline(fn func(fd uintptr) bool) error {
	c.drained = false // the runtime forgets what came before this call
	c.inline.Or(inlineIn)
	err := c.raw.Read(fn)
	c.inline.And(^uint32(inlineIn))
	if err != nil && c.rerr == nil {
		c.rerr = err
	}
	return err
}

// closeInline is CloseNow's part for a reader inside ReadInline: it marks
// the connection closing and, when the reader is inside, shuts the
// connection down and returns true (the reader closes it once out). The
// mark is set before the reader is looked for, and the reader looks for the
// mark after it went in (ReadRaw, before every read): one of the two sees
// the other.
func (c *Conn) closeInline() bool {
	if c.raw == nil {
		return false
	}
	if c.inline.Or(inlineClosing)&inlineIn == 0 {
		return false
	}
	_ = c.raw.Control(func(fd uintptr) { shutdownFD(fd) })
	return true
}

// closed reports whether CloseNow was called.
func (c *Conn) closed() bool { return c.inline.Load()&inlineClosing != 0 }
