//go:build !js

package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The response side of the polling transport's HTTP/1.1 client
// (httpconn.go): a reader of exactly what the servers under test send to a
// long-polling client, a status line, a few header fields and a body
// framed by Content-Length or chunked transfer coding, and a clear error
// for anything else. It reads from a bufio.Reader and appends the body to
// a buffer the caller reuses: no allocation per response.

// ErrHTTP reports an HTTP response the load generator cannot read: a
// malformed head, a framing it does not handle, a body over the limit.
var ErrHTTP = errors.New("loadgen: bad HTTP response")

// maxHeadFields bounds the header fields of one response (and the trailer
// fields of a chunked body).
const maxHeadFields = 100

// respHead is what the load generator keeps of a response head.
type respHead struct {
	status  int
	length  int64 // the body's length; -1: chunked
	close   bool  // Connection: close (the server closes after this response)
	chunked bool
}

// readResponse reads one response from br: its head, then its body,
// appended to buf (whose extended slice it returns), at most limit bytes.
// A connection that ends before the first byte gives io.EOF; one that ends
// inside the response gives an error wrapping io.ErrUnexpectedEOF.
func readResponse(br *bufio.Reader, limit int, buf []byte) (respHead, []byte, error) {
	h, err := readResponseHead(br, limit)
	if err != nil {
		return h, buf, err
	}
	if h.chunked {
		buf, err = readChunked(br, limit, buf)
		return h, buf, err
	}
	n := int(h.length)
	buf = slices.Grow(buf, n)
	body := buf[len(buf) : len(buf)+n]
	if _, err := io.ReadFull(br, body); err != nil {
		return h, buf, fmt.Errorf("%w: body truncated (%d bytes announced): %w", ErrHTTP, n, unexpected(err))
	}
	return h, buf[:len(buf)+n], nil
}

// readResponseHead reads a status line and header fields up to the empty
// line. It accepts HTTP/1.1 only, lines ended by CRLF, field names that are
// tokens, a body framed by exactly one Content-Length or by
// "Transfer-Encoding: chunked" alone, or none for 204 and 304; limit
// bounds Content-Length.
func readResponseHead(br *bufio.Reader, limit int) (respHead, error) {
	h := respHead{length: -1}
	line, err := readLine(br)
	if err != nil {
		if err == io.EOF {
			return h, err // closed between responses
		}
		return h, fmt.Errorf("status line: %w", err)
	}
	if h.status, err = parseStatusLine(line); err != nil {
		return h, err
	}
	var te []byte
	for n := 0; ; n++ {
		line, err := readLine(br)
		if err != nil {
			return h, fmt.Errorf("header: %w", unexpected(err))
		}
		if len(line) == 0 {
			break
		}
		if n == maxHeadFields {
			return h, fmt.Errorf("%w: more than %d header fields", ErrHTTP, maxHeadFields)
		}
		name, value, err := splitField(line)
		if err != nil {
			return h, err
		}
		switch {
		case asciiEqualFold(name, "Content-Length"):
			v, ok := parseDecimal(value)
			switch {
			case !ok:
				return h, fmt.Errorf("%w: Content-Length %q", ErrHTTP, value)
			case h.length >= 0:
				return h, fmt.Errorf("%w: repeated Content-Length", ErrHTTP)
			case v > int64(limit):
				return h, fmt.Errorf("%w: body of %d bytes over the limit of %d", ErrHTTP, v, limit)
			}
			h.length = v
		case asciiEqualFold(name, "Transfer-Encoding"):
			if te != nil {
				return h, fmt.Errorf("%w: repeated Transfer-Encoding", ErrHTTP)
			}
			te = value
		case asciiEqualFold(name, "Connection"):
			for opt := range bytes.SplitSeq(value, []byte(",")) {
				if asciiEqualFold(bytes.Trim(opt, " \t"), "close") {
					h.close = true
				}
			}
		}
	}
	switch {
	case te != nil && !asciiEqualFold(te, "chunked"):
		return h, fmt.Errorf("%w: Transfer-Encoding %q (only chunked is handled)", ErrHTTP, te)
	case te != nil && h.length >= 0:
		return h, fmt.Errorf("%w: both Content-Length and Transfer-Encoding", ErrHTTP)
	case te != nil:
		h.chunked = true
	case h.status == 204 || h.status == 304:
		h.length = 0 // no body whatever the fields say (RFC 9112 section 6.3)
	case h.length < 0:
		return h, fmt.Errorf("%w: status %d with neither Content-Length nor chunked Transfer-Encoding", ErrHTTP, h.status)
	}
	return h, nil
}

// parseStatusLine returns the status code of "HTTP/1.1 ddd[ reason]".
// Informational (1xx) responses are refused: the load generator never asks
// for one (no Expect, no Upgrade).
func parseStatusLine(line []byte) (int, error) {
	rest, ok := bytes.CutPrefix(line, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 3 || (len(rest) > 3 && rest[3] != ' ') {
		return 0, fmt.Errorf("%w: status line %q", ErrHTTP, line)
	}
	code := 0
	for _, c := range rest[:3] {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: status line %q", ErrHTTP, line)
		}
		code = code*10 + int(c-'0')
	}
	if code < 200 {
		return 0, fmt.Errorf("%w: status line %q (informational or invalid)", ErrHTTP, line)
	}
	for _, c := range rest[3:] {
		if c < ' ' && c != '\t' || c == 0x7f {
			return 0, fmt.Errorf("%w: control character in status line %q", ErrHTTP, line)
		}
	}
	return code, nil
}

// splitField splits "name: value" into the name (a token, at once followed
// by ':') and the value without its surrounding blanks (no control
// characters but HTAB).
func splitField(line []byte) (name, value []byte, err error) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || !isToken(line[:i]) {
		return nil, nil, fmt.Errorf("%w: header field %q", ErrHTTP, line)
	}
	value = bytes.Trim(line[i+1:], " \t")
	for _, c := range value {
		if c < ' ' && c != '\t' || c == 0x7f {
			return nil, nil, fmt.Errorf("%w: control character in header field %q", ErrHTTP, line)
		}
	}
	return line[:i], value, nil
}

// readChunked appends a chunked body (RFC 9112 section 7.1) to buf: chunks
// of a hexadecimal size (extensions ignored), each followed by CRLF, a last
// chunk of size 0, trailer fields (ignored) and an empty line. The data
// may total at most limit bytes.
func readChunked(br *bufio.Reader, limit int, buf []byte) ([]byte, error) {
	start := len(buf)
	for {
		line, err := readLine(br)
		if err != nil {
			return buf, fmt.Errorf("chunk size: %w", unexpected(err))
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimRight(line, " \t")
		size, ok := parseHex(line)
		if !ok {
			return buf, fmt.Errorf("%w: chunk size %q", ErrHTTP, line)
		}
		if size == 0 {
			break
		}
		if size > int64(limit-(len(buf)-start)) {
			return buf, fmt.Errorf("%w: chunked body over the limit of %d bytes", ErrHTTP, limit)
		}
		n := int(size)
		buf = slices.Grow(buf, n)
		if _, err := io.ReadFull(br, buf[len(buf):len(buf)+n]); err != nil {
			return buf, fmt.Errorf("%w: chunk truncated (%d bytes announced): %w", ErrHTTP, n, unexpected(err))
		}
		buf = buf[:len(buf)+n]
		line, err = readLine(br)
		if err != nil {
			return buf, fmt.Errorf("end of chunk: %w", unexpected(err))
		}
		if len(line) != 0 {
			return buf, fmt.Errorf("%w: %q after a chunk's data, want CRLF", ErrHTTP, line)
		}
	}
	for n := 0; ; n++ { // trailer fields
		line, err := readLine(br)
		if err != nil {
			return buf, fmt.Errorf("trailer: %w", unexpected(err))
		}
		if len(line) == 0 {
			return buf, nil
		}
		if n == maxHeadFields {
			return buf, fmt.Errorf("%w: more than %d trailer fields", ErrHTTP, maxHeadFields)
		}
		if _, _, err := splitField(line); err != nil {
			return buf, err
		}
	}
}

// readLine returns the next line without its CRLF (valid until the next
// read from br). A line longer than br's buffer, or ended by a bare LF or
// holding a bare CR, is an ErrHTTP; the end of the input gives io.EOF
// before the first byte of a line, io.ErrUnexpectedEOF within one.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("%w: line longer than %d bytes", ErrHTTP, br.Size())
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err == io.EOF:
		return nil, io.ErrUnexpectedEOF
	case err != nil:
		return nil, err
	}
	line = line[:len(line)-1]
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return nil, fmt.Errorf("%w: line %q not ended by CRLF", ErrHTTP, line)
	}
	line = line[:len(line)-1]
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, fmt.Errorf("%w: bare CR in line %q", ErrHTTP, line)
	}
	return line, nil
}

// unexpected turns the end of the input inside a response into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseDecimal parses 1 to 18 decimal digits (no sign, no blanks).
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// parseHex parses 1 to 15 hexadecimal digits.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | int64(c)
	}
	return v, true
}

// isToken reports whether b is an RFC 9110 token (a field name).
func isToken(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return len(b) > 0
}

// asciiEqualFold reports whether b equals s, ASCII letters compared
// without case (s is lower or mixed case ASCII).
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
