//go:build !js

package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
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

// FuzzResponseReader: the polling client's reader of HTTP responses, over
// any bytes and read buffer size, returns responses with a body within the
// limit, or an error; never a panic. Every response it reads, net/http's
// ReadResponse reads from the same bytes with the same status and body,
// and a Connection: close it sees, net/http sees too.
func FuzzResponseReader(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"), uint16(0))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\n40{\r\n1\r\n}\r\n0\r\nTrailer: y\r\n\r\n"), uint16(1))
	f.Add([]byte("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\n6"+
		"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 400 Bad Request\r\ncontent-length: 4\r\n\r\n{}{}"), uint16(2))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0{"), uint16(3))                            // truncated
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n"), uint16(4))                           // over the limit
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"), uint16(5))        // repeated
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), uint16(6))                         // unsupported
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n"), uint16(7)) // huge chunk
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n"), uint16(8))
	f.Add([]byte("HTTP/1.1 200 OK\nContent-Length: 0\n\n"), uint16(9))    // bare LF
	f.Add([]byte("HTTP/1.1 101 Switching Protocols\r\n\r\n"), uint16(10)) // informational
	f.Fuzz(func(t *testing.T, b []byte, size uint16) {
		const limit = 1 << 12
		br := bufio.NewReaderSize(bytes.NewReader(b), 16+int(size)%4096)
		ref := bufio.NewReader(bytes.NewReader(b))
		var body []byte
		for range len(b) + 1 { // each response takes at least 16 bytes
			h, got, err := readResponse(br, limit, body[:0])
			if err != nil {
				if !errors.Is(err, ErrHTTP) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("error %v", err)
				}
				return
			}
			body = got
			if len(body) > limit || h.status < 200 || h.status > 999 {
				t.Fatalf("status %d, body of %d bytes", h.status, len(body))
			}
			res, err := http.ReadResponse(ref, nil)
			if err != nil {
				t.Fatalf("net/http: %v; ours: %+v %q", err, h, body)
			}
			want, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatalf("net/http body: %v; ours: %+v %q", err, h, body)
			}
			if res.StatusCode != h.status || !bytes.Equal(want, body) || h.close && !res.Close {
				t.Fatalf("ours: status %d close %v %q; net/http: status %d close %v %q",
					h.status, h.close, body, res.StatusCode, res.Close, want)
			}
		}
		t.Fatal("the reader did not stop at the end of its input")
	})
}
