package engine

import (
	"encoding/binary"
	"io"
	"net"
	"slices"
	"sync"
)

// maxBatchBytes bounds what a websocket session's flush accumulates before it
// writes to the connection: several queued packets go out in one write
// (syscall) instead of one each.
const maxBatchBytes = 32 << 10

// batchBufs holds the buffers of open batches; a buffer belongs to a batch
// only while its flush writes, never to an idle session.
var batchBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, maxBatchBytes)
	return &b
}}

// batchWriter is the writer under a websocket connection's bufio.Writer
// (coder/websocket flushes that at the end of every message). Outside a
// batch it writes through; between begin and end it accumulates what is
// written (up to maxBatchBytes) and end writes it at once. Frames that
// coder/websocket writes itself during a batch (a pong, a close frame) are
// part of it, in order; outside a batch they go straight through.
type batchWriter struct {
	w      io.Writer
	mu     sync.Mutex
	buf    *[]byte // non-nil while a batch is open
	prefix []byte  // written before anything else (a held 101 response), then nil
}

// begin opens a batch.
func (b *batchWriter) begin() {
	b.mu.Lock()
	if b.buf == nil {
		b.buf = batchBufs.Get().(*[]byte)
		if b.prefix != nil {
			*b.buf = append(*b.buf, b.prefix...)
			b.prefix = nil
		}
	}
	b.mu.Unlock()
}

// end writes what the batch accumulated and closes it.
func (b *batchWriter) end() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	buf := b.buf
	if buf == nil {
		return nil
	}
	b.buf = nil
	var err error
	if len(*buf) > 0 {
		_, err = b.w.Write(*buf)
	}
	*buf = (*buf)[:0]
	batchBufs.Put(buf)
	return err
}

// Write implements io.Writer.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		if b.prefix != nil {
			err := writeVec(b.w, b.prefix, p)
			b.prefix = nil
			if err != nil {
				return 0, err
			}
			return len(p), nil
		}
		return b.w.Write(p)
	}
	buf := *b.buf
	if len(buf)+len(p) > cap(buf) {
		if len(buf) > 0 {
			_, err := b.w.Write(buf)
			*b.buf = buf[:0]
			if err != nil {
				return 0, err
			}
			buf = buf[:0]
		}
		if len(p) > cap(buf)/2 {
			return b.w.Write(p)
		}
	}
	*b.buf = append(buf, p...)
	return len(p), nil
}

// WebSocket opcodes of the data frames writeFrame writes.
const (
	opText   = 1
	opBinary = 2
)

// writeFrame writes one unmasked data frame (FIN set) of the given opcode
// whose payload is the type character typeChars[typ] (none when typ < 0)
// followed by data, into the open batch (the batch is written out first when
// the frame doesn't fit; a frame larger than the batch buffer goes out with
// one writev). The frame is whole under b.mu, so the control frames that
// coder/websocket writes itself (each flushed whole: the bufio buffer holds
// a control frame) never split it. Call it between begin and end.
func (b *batchWriter) writeFrame(opcode byte, typ int, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(data)
	if typ >= 0 {
		n++
	}
	var hdr [11]byte
	h := appendFrameHeader(hdr[:0], opcode, n)
	if typ >= 0 {
		h = append(h, typeChars[typ])
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

// appendFrameHeader appends the header of an unmasked final frame with a
// payload of n bytes (RFC 6455 section 5.2).
func appendFrameHeader(b []byte, opcode byte, n int) []byte {
	b = append(b, 0x80|opcode)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}
