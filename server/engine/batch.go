package engine

import (
	"io"
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
	w   io.Writer
	mu  sync.Mutex
	buf *[]byte // non-nil while a batch is open
}

// begin opens a batch.
func (b *batchWriter) begin() {
	b.mu.Lock()
	if b.buf == nil {
		b.buf = batchBufs.Get().(*[]byte)
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
