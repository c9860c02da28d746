package ws

import (
	"compress/flate"
	"errors"
	"io"
	"sync"
)

// permessage-deflate (RFC 7692) without context takeover: every message is
// compressed and inflated on its own, with pooled compress/flate state held
// only while one message is processed.

// deflateTail ends a message's deflate data: the sender strips it, the
// receiver appends it (RFC 7692 section 7.2.1).
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff}

// inflateSrc is the input of an inflation: the message then deflateTail. It
// is an io.ByteReader, so flate reads it without a bufio.Reader of its own.
type inflateSrc struct {
	data []byte
	tail int
}

func (s *inflateSrc) Read(p []byte) (int, error) {
	if len(s.data) > 0 {
		n := copy(p, s.data)
		s.data = s.data[n:]
		return n, nil
	}
	if s.tail < len(deflateTail) {
		n := copy(p, deflateTail[s.tail:])
		s.tail += n
		return n, nil
	}
	return 0, io.EOF
}

func (s *inflateSrc) ReadByte() (byte, error) {
	if len(s.data) > 0 {
		b := s.data[0]
		s.data = s.data[1:]
		return b, nil
	}
	if s.tail < len(deflateTail) {
		b := deflateTail[s.tail]
		s.tail++
		return b, nil
	}
	return 0, io.EOF
}

type inflater struct {
	src inflateSrc
	r   io.ReadCloser
	buf []byte
}

var inflaters = sync.Pool{New: func() any {
	f := &inflater{}
	f.r = flate.NewReader(&f.src)
	return f
}}

// inflate returns the inflated payload of a compressed message (a new slice
// of its exact size), or a *Error: 1009 when it is over limit bytes, 1007
// when it is not deflate data.
func inflate(msg []byte, limit int64) ([]byte, error) {
	f := inflaters.Get().(*inflater)
	defer func() {
		f.src = inflateSrc{}
		if cap(f.buf) > BufferSize {
			f.buf = nil
		}
		inflaters.Put(f)
	}()
	f.src = inflateSrc{data: msg}
	if err := f.r.(flate.Resetter).Reset(&f.src, nil); err != nil {
		return nil, err
	}
	out := f.buf[:0]
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := f.r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if int64(len(out)) > limit {
			f.buf = out
			return nil, &Error{Code: CloseMessageTooBig, msg: "inflated message over MaxHTTPBufferSize"}
		}
		if err != nil {
			f.buf = out
			// Without a final block the data ends where the input does.
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) && len(f.src.data) == 0 && f.src.tail == len(deflateTail) {
				return append([]byte(nil), out...), nil
			}
			return nil, &Error{Code: CloseInvalidData, msg: "invalid compressed data"}
		}
	}
}

// deflater compresses outgoing messages into buf.
type deflater struct {
	w   *flate.Writer
	buf appendWriter
}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// deflaters compress the messages written for one connection alone (over
// DeflateCacheMax, or without a cache): the fastest level, as this cost is
// paid per recipient.
var deflaters = sync.Pool{New: func() any {
	d := &deflater{}
	d.w, _ = flate.NewWriter(&d.buf, flate.BestSpeed) // a valid level: no error
	return d
}}

// sharedDeflaters compress the messages of a DeflateCache, whose cost is
// paid once for every recipient: zlib's default level, the one Node's ws
// uses, so a broadcast's frames are as small as Node's (about 4 % smaller
// than BestSpeed's on 1 KB of JSON-like text).
var sharedDeflaters = sync.Pool{New: func() any {
	d := &deflater{}
	d.w, _ = flate.NewWriter(&d.buf, flate.DefaultCompression) // a valid level: no error
	return d
}}

// WriteCompressed writes one compressed message (RSV1) of opcode whose
// payload is the byte lead (none when lead < 0) followed by data, at once.
// With a cache (not nil) a message of at most DeflateCacheMax bytes is
// compressed once for every connection that writes it through the same
// cache. Not within a batch: use BatchCompressed there.
func (b *Writer) WriteCompressed(cache *DeflateCache, opcode byte, lead int, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.BatchCompressed(cache, opcode, lead, data)
}

// BatchCompressed is WriteCompressed within a batch (between Begin and End).
func (b *Writer) BatchCompressed(cache *DeflateCache, opcode byte, lead int, data []byte) error {
	if cache != nil && len(data) <= DeflateCacheMax {
		return b.BatchFrame(0x80|0x40|opcode, -1, cache.compressed(opcode, lead, data))
	}
	if cache != nil {
		cache.compressions.Add(1)
	}
	d := deflaters.Get().(*deflater)
	d.buf.b = d.compress(lead, data, d.buf.b[:0])
	err := b.BatchFrame(0x80|0x40|opcode, -1, d.buf.b)
	if cap(d.buf.b) > BufferSize {
		d.buf.b = nil
	}
	deflaters.Put(d)
	return err
}

// deflateMessage returns the compressed payload (sharedDeflaters' level) of the message made of the
// byte lead (none when lead < 0) and data, appended to dst (nil: a new
// slice of its exact size).
func deflateMessage(lead int, data, dst []byte) []byte {
	d := sharedDeflaters.Get().(*deflater)
	z := d.compress(lead, data, d.buf.b[:0])
	if dst == nil {
		dst = make([]byte, 0, len(z))
	}
	dst = append(dst, z...)
	d.buf.b = z[:0]
	if cap(d.buf.b) > BufferSize {
		d.buf.b = nil
	}
	sharedDeflaters.Put(d)
	return dst
}

// compress compresses the message (lead, data) into dst and returns it, the
// deflate tail stripped (RFC 7692 section 7.2.1).
func (d *deflater) compress(lead int, data, dst []byte) []byte {
	d.buf.b = dst
	d.w.Reset(&d.buf)
	if lead >= 0 {
		_, _ = d.w.Write(byteValues[lead : lead+1]) // appendWriter does not fail
	}
	_, _ = d.w.Write(data)
	_ = d.w.Flush()
	z := d.buf.b
	return z[:len(z)-len(deflateTail)] // Flush ends with the tail
}
