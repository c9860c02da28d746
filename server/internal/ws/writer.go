package ws

import (
	"encoding/binary"
	"io"
	"net"
	"slices"
	"sync"
)

// BufferSize is the size of the pooled buffers (GetBuffer): it bounds what
// a Writer's batch accumulates before it writes to the connection (several
// messages go out in one write, one syscall, instead of one each) and is the
// read buffer of a Conn.
const BufferSize = 32 << 10

// batchBufs holds the buffers of open batches; a buffer belongs to a batch
// only while its flush writes, never to an idle session.
var batchBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, BufferSize)
	return &b
}}

// GetBuffer returns a pooled buffer of capacity BufferSize and length 0.
func GetBuffer() *[]byte { return batchBufs.Get().(*[]byte) }

// PutBuffer gives a buffer of GetBuffer back to the pool.
func PutBuffer(b *[]byte) {
	*b = (*b)[:0]
	batchBufs.Put(b)
}

// byteValues holds every byte value at its index, sliced to write one byte
// without allocating. Never modified.
var byteValues = func() (b [256]byte) {
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// Writer writes the frames of a websocket connection. Outside a batch
// it writes through; between Begin and End it accumulates frames (up to
// BufferSize) and End writes them at once. Its lock keeps every frame
// whole and in order: the data frames of the owner's flush and the
// control frames of its reader (pong, close). A batch holds the lock from
// Begin to End (one Lock and Unlock per batch instead of one per frame:
// the reader's control frames wait for the batch, which End writes under
// the lock anyway).
type Writer struct {
	w      io.Writer
	mu     sync.Mutex
	buf    *[]byte // non-nil while a batch is open
	prefix []byte  // written before anything else (a held 101 response), then nil
	closed bool    // a close frame was written: nothing more is
}

// Begin opens a batch and takes the writer's lock until End: in between,
// frames are added with BatchFrame and BatchCompressed only.
func (b *Writer) Begin() {
	b.mu.Lock()
	if b.buf == nil {
		b.buf = batchBufs.Get().(*[]byte)
		if b.prefix != nil {
			*b.buf = append(*b.buf, b.prefix...)
			b.prefix = nil
		}
	}
}

// End writes what the batch accumulated, closes it and releases the lock.
func (b *Writer) End() error { return b.end(noFD) }

// EndFD is End for the connection's reader inside its Conn's ReadInline
// callback, fd the descriptor the callback was given: the batch is written
// with write(2) on fd, not through the net.Conn (whose write lock and
// poller bookkeeping cost more than the rest of a small reply's write),
// unless the socket cannot take it all at once.
func (b *Writer) EndFD(fd uintptr) error { return b.end(fd) }

// noFD: End's descriptor, none.
const noFD = ^uintptr(0)

func (b *Writer) end(fd uintptr) error {
	defer b.mu.Unlock()
	buf := b.buf
	if buf == nil {
		return nil
	}
	b.buf = nil
	var err error
	if len(*buf) > 0 {
		if fd != noFD {
			err = writeFD(fd, *buf, b.w)
		} else {
			_, err = b.w.Write(*buf)
		}
	}
	*buf = (*buf)[:0]
	batchBufs.Put(buf)
	return err
}

// writeControl writes a control frame (payload <= 125 bytes) at once, after
// what an open batch holds.
func (b *Writer) writeControl(opcode byte, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.writeControlLocked(opcode, payload)
}

// DropPrefix forgets a held 101 response that was never written (the
// connection is to be closed without it).
func (b *Writer) DropPrefix() {
	b.mu.Lock()
	b.prefix = nil
	b.mu.Unlock()
}

// WriteClose writes a close frame with payload unless one was written.
func (b *Writer) WriteClose(payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	err := b.writeControlLocked(OpClose, payload)
	b.closed = true
	return err
}

func (b *Writer) writeControlLocked(opcode byte, payload []byte) error {
	if b.closed {
		return net.ErrClosed
	}
	var frame [2 + 125]byte
	f := append(appendFrameHeader(frame[:0], 0x80|opcode, len(payload)), payload...)
	if b.buf != nil && len(*b.buf) > 0 {
		// The frames of the open batch go first.
		buf := *b.buf
		if len(buf)+len(f) > cap(buf) {
			_, err := b.w.Write(buf)
			*b.buf = buf[:0]
			if err != nil {
				return err
			}
			_, err = b.w.Write(f)
			return err
		}
		buf = append(buf, f...)
		_, err := b.w.Write(buf)
		*b.buf = buf[:0]
		return err
	}
	if b.prefix != nil {
		f = append(b.prefix, f...)
		b.prefix = nil
	}
	_, err := b.w.Write(f)
	return err
}

// WriteFrame writes one unmasked final frame whose first byte is b0 (FIN,
// RSV1 for a compressed message, opcode) and whose payload is the type
// byte lead (none when lead < 0) followed by data, at once. Not within a
// batch (Begin holds the lock): use BatchFrame there.
func (b *Writer) WriteFrame(b0 byte, lead int, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.BatchFrame(b0, lead, data)
}

// BatchFrame is WriteFrame within a batch (between Begin and End, the lock
// held): the frame is added to the batch (the batch is written out first
// when the frame doesn't fit; a frame larger than the batch buffer goes out
// with one writev).
func (b *Writer) BatchFrame(b0 byte, lead int, data []byte) error {
	if b.closed {
		return net.ErrClosed
	}
	n := len(data)
	if lead >= 0 {
		n++
	}
	var hdr [11]byte
	h := appendFrameHeader(hdr[:0], b0, n)
	if lead >= 0 {
		h = append(h, byte(lead))
	}
	if b.buf == nil { // not in a batch: write through
		if b.prefix != nil {
			h = append(slices.Clone(b.prefix), h...)
			b.prefix = nil
		}
		return writeVec(b.w, h, data)
	}
	buf := *b.buf
	if len(buf)+len(h)+len(data) > cap(buf) {
		if len(buf) > 0 {
			_, err := b.w.Write(buf)
			*b.buf = buf[:0]
			if err != nil {
				return err
			}
			buf = buf[:0]
		}
		if len(h)+len(data) > cap(buf) {
			return writeVec(b.w, h, data)
		}
	}
	*b.buf = append(append(buf, h...), data...)
	return nil
}

// writeVec writes a frame's header and payload with one writev (h is copied:
// the caller's header stays on its stack).
func writeVec(w io.Writer, h, data []byte) error {
	bufs := net.Buffers{slices.Clone(h), data}
	_, err := bufs.WriteTo(w)
	return err
}

// appendFrameHeader appends the header of an unmasked frame whose first
// byte is b0 with a payload of n bytes (RFC 6455 section 5.2).
func appendFrameHeader(b []byte, b0 byte, n int) []byte {
	b = append(b, b0)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}
