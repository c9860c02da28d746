//go:build !js

package loadgen

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"sync"
)

// deflateTail ends a message's deflate data: the sender strips it, the
// receiver appends it (RFC 7692 section 7.2.1).
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff}

// inflater is a reusable flate reader; pooled, so that a thousand idle
// connections do not each hold one.
type inflater struct {
	src bytes.Reader
	r   io.ReadCloser
}

var inflaters = sync.Pool{New: func() any { return &inflater{} }}

// inflateInto appends the inflation of the permessage-deflate payload z to
// dst (no context takeover: every message on its own) and returns it; a
// result over limit bytes or bad deflate data is an ErrFrame.
func inflateInto(dst, z []byte, limit int64) ([]byte, error) {
	f := inflaters.Get().(*inflater)
	defer inflaters.Put(f)
	f.src.Reset(z)
	src := io.MultiReader(&f.src, bytes.NewReader(deflateTail))
	if f.r == nil {
		f.r = flate.NewReader(src)
	} else if err := f.r.(flate.Resetter).Reset(src, nil); err != nil {
		return dst, err
	}
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := f.r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if int64(len(dst)-start) > limit {
			return dst, fmt.Errorf("%w: inflated message longer than the read limit of %d bytes", ErrFrame, limit)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			// Without a final block the data ends with the input.
			return dst, nil
		}
		if err != nil {
			return dst, fmt.Errorf("%w: bad compressed message: %v", ErrFrame, err)
		}
	}
}
