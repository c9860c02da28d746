//go:build !js

package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzMessageReader: the load generator's reader of server frames, over any
// bytes and any read buffer size, returns data messages within the limit,
// control frames of at most 125 bytes, or an error; never a panic or a
// message longer than the limit.
func FuzzMessageReader(f *testing.F) {
	f.Add([]byte{0x81, 0x02, '4', 'x'}, uint16(16))
	f.Add([]byte{0x01, 0x01, '4', 0x89, 0x01, 'p', 0x80, 0x01, 'y'}, uint16(16)) // fragments + ping
	f.Add([]byte{0x82, 0x7e, 0x00, 0x80}, uint16(64))                            // 16-bit length, truncated
	f.Add([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, uint16(4096))              // 64-bit length over the limit
	f.Add([]byte{0x88, 0x02, 0x03, 0xe8}, uint16(16))                            // close
	f.Add([]byte{0x81, 0x81, 1, 2, 3, 4, 'x'}, uint16(16))                       // masked server frame
	f.Add([]byte{0x80, 0x00}, uint16(16))                                        // continuation first
	f.Add([]byte{0xc1, 0x05, 0x33, 0xa9, 0x00, 0x00, 0x00}, uint16(17))          // compressed "4x" (odd size: deflate)
	f.Add([]byte{0xc1, 0x03, 0xff, 0xff, 0xff}, uint16(17))                      // bad compressed data
	f.Fuzz(func(t *testing.T, b []byte, size uint16) {
		const limit = 1 << 12
		r := &messageReader{
			br:      bufio.NewReaderSize(bytes.NewReader(b), 128+int(size)%8192),
			limit:   limit,
			deflate: size%2 == 1, // RSV1 is allowed and compressed messages inflated
			onControl: func(op byte, p []byte) error {
				if op < opClose || len(p) > 125 {
					t.Fatalf("control frame %#x of %d bytes", op, len(p))
				}
				if op == opClose {
					return io.EOF
				}
				return nil
			},
		}
		for range len(b) + 1 { // each message takes at least 2 bytes
			op, p, err := r.next()
			if err != nil {
				if !errors.Is(err, ErrFrame) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("error %v", err)
				}
				return
			}
			if op != opText && op != opBinary {
				t.Fatalf("data message with opcode %#x", op)
			}
			if len(p) > limit {
				t.Fatalf("message of %d bytes over the limit", len(p))
			}
		}
		t.Fatal("the reader did not stop at the end of its input")
	})
}
