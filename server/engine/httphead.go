package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"unsafe"
)

// reqHead is an HTTP/1.1 request head that parseHead accepted: a request
// Server.Serve may answer itself. Its strings point into the bytes parsed.
type reqHead struct {
	post           bool   // POST (else GET)
	path, query    string // the request target, split at its first '?'
	contentLength  int64  // POST: the body's length; GET: 0
	contentType    string // first value, "" if none
	acceptEncoding string // first value
	origin         string // first value
	close          bool   // Connection: close
}

// Limits of the heads parseHead accepts (longer ones go to net/http).
const (
	maxHeadBytes  = 16 << 10
	maxHeadFields = 64
)

// Reasons parseHead refuses a head: such a request is handed to net/http
// with every byte read, never answered by Serve.
var (
	errHeadMethod    = errors.New("engine: head: method is not GET or POST")
	errHeadLine      = errors.New("engine: head: malformed request line")
	errHeadVersion   = errors.New("engine: head: not HTTP/1.1")
	errHeadTarget    = errors.New("engine: head: request target not in origin form")
	errHeadField     = errors.New("engine: head: malformed header field")
	errHeadFold      = errors.New("engine: head: obsolete line folding")
	errHeadBareCRLF  = errors.New("engine: head: bare CR or LF")
	errHeadFields    = errors.New("engine: head: too many header fields")
	errHeadHost      = errors.New("engine: head: missing, repeated or invalid Host")
	errHeadLength    = errors.New("engine: head: missing, repeated or invalid Content-Length")
	errHeadFraming   = errors.New("engine: head: Transfer-Encoding")
	errHeadExpect    = errors.New("engine: head: Expect")
	errHeadUpgrade   = errors.New("engine: head: Upgrade")
	errHeadTooLong   = errors.New("engine: head: over the size limit")
	errHeadIncomplet = errors.New("engine: head: incomplete")
)

// headEnd returns the length of the request head at the start of b (up to
// and including its empty line "\r\n\r\n"), or -1 if b holds no complete
// head.
func headEnd(b []byte) int {
	// Line by line: a head has a few short lines, and bytes.Index looks
	// for the pattern's first byte at every line end too, and then more.
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if i >= 4 && b[i-2] == '\r' && b[i-3] == '\n' && b[i-4] == '\r' {
			return i
		}
	}
}

// parseHead parses a complete request head (headEnd's bytes, ending with
// "\r\n\r\n"). It accepts only what Serve answers itself, and only in the
// one form nobody reads two ways: HTTP/1.1, GET or POST, an origin-form
// target of visible ASCII with no '%' in its path, lines ending in CRLF
// (no bare CR or LF anywhere), no obsolete line folding, header names that
// are tokens followed at once by ':', values without control characters,
// exactly one valid Host, no Transfer-Encoding, Expect or Upgrade (nor an
// "upgrade" Connection option), and a body length given only by exactly
// one Content-Length of decimal digits, on POST only. Anything else is an
// error: the request goes to net/http untouched.
//
// It runs for every polling request: each byte is looked at once or twice,
// the target and the values 8 at a time, and a field's name is compared
// with the names it knows only when the lengths match.
func parseHead(head string) (h reqHead, err error) {
	if len(head) > maxHeadBytes {
		return h, errHeadTooLong
	}
	if !strings.HasSuffix(head, "\r\n\r\n") {
		return h, errHeadIncomplet
	}
	// The request line ends at the first line feed, which must follow a
	// carriage return, the line's only one.
	i := strings.IndexByte(head, '\n')
	if i < 1 || head[i-1] != '\r' {
		return h, errHeadBareCRLF
	}
	line, rest := head[:i-1], head[i+1:]
	if strings.IndexByte(line, '\r') >= 0 {
		return h, errHeadBareCRLF
	}
	switch {
	case strings.HasPrefix(line, "GET "):
		line = line[4:]
	case strings.HasPrefix(line, "POST "):
		h.post, line = true, line[5:]
	default:
		return h, errHeadMethod
	}
	target, version, ok := strings.Cut(line, " ")
	if !ok {
		return h, errHeadLine
	}
	if version != "HTTP/1.1" {
		return h, errHeadVersion
	}
	if target == "" || target[0] != '/' {
		return h, errHeadTarget
	}
	if !validTarget(target) {
		return h, errHeadTarget
	}
	h.path, h.query, _ = strings.Cut(target, "?")
	if strings.IndexByte(h.path, '%') >= 0 {
		// net/http unescapes the path (and refuses a bad escape): one
		// with escapes is its to read.
		return h, errHeadTarget
	}

	var hosts, lengths int
	length := int64(-1)
	fields := rest[:len(rest)-2] // without the final empty line: "" or lines ending in CRLF
	for n := 0; fields != ""; n++ {
		if n == maxHeadFields {
			return h, errHeadFields
		}
		i := strings.IndexByte(fields, '\n')
		if i < 1 || fields[i-1] != '\r' {
			return h, errHeadBareCRLF
		}
		line, fields = fields[:i-1], fields[i+1:]
		kind, value, err := splitField(line)
		if err != nil {
			if strings.IndexByte(line, '\r') >= 0 {
				err = errHeadBareCRLF
			}
			return h, err
		}
		switch kind {
		case fieldHost:
			hosts++
			if !validHost(value) {
				return h, errHeadHost
			}
		case fieldLength:
			lengths++
			if length, ok = parseLength(value); !ok {
				return h, errHeadLength
			}
		case fieldFraming:
			return h, errHeadFraming
		case fieldExpect:
			return h, errHeadExpect
		case fieldUpgrade:
			return h, errHeadUpgrade
		case fieldConnection:
			for opt := range strings.SplitSeq(value, ",") {
				opt = strings.Trim(opt, " \t")
				switch {
				case lowerIs(opt, "close"):
					h.close = true
				case lowerIs(opt, "upgrade"):
					return h, errHeadUpgrade
				}
			}
		case fieldType:
			if h.contentType == "" {
				h.contentType = value
			}
		case fieldEncoding:
			if h.acceptEncoding == "" {
				h.acceptEncoding = value
			}
		case fieldOrigin:
			if h.origin == "" {
				h.origin = value
			}
		}
	}
	if hosts != 1 {
		return h, errHeadHost
	}
	switch {
	case h.post && lengths == 1:
		h.contentLength = length
	case !h.post && lengths == 0:
	default:
		return h, errHeadLength
	}
	return h, nil
}

// fieldKind is what parseHead makes of a header field, by its name.
type fieldKind uint8

const (
	fieldOther      fieldKind = iota
	fieldHost                 // Host
	fieldLength               // Content-Length
	fieldFraming              // Transfer-Encoding
	fieldExpect               // Expect
	fieldUpgrade              // Upgrade, HTTP2-Settings
	fieldConnection           // Connection
	fieldType                 // Content-Type
	fieldEncoding             // Accept-Encoding
	fieldOrigin               // Origin
)

// splitField splits a header field line (without its CRLF) into the kind
// of its name (a token, followed at once by ':') and its value (without
// the spaces and tabs around it, free of control characters but HTAB;
// obs-text, 0x80 and over, is allowed, as net/http does).
func splitField(line string) (kind fieldKind, value string, err error) {
	if line == "" {
		return 0, "", errHeadField // an empty line before the end: cannot be, but be sure
	}
	if line[0] == ' ' || line[0] == '\t' {
		return 0, "", errHeadFold
	}
	i := strings.IndexByte(line, ':')
	if i <= 0 || !validValue(line[i+1:]) {
		return 0, "", errHeadField
	}
	name, value := line[:i], line[i+1:]
	kind = nameKind(name)
	if kind == fieldOther && !isToken(name) { // the names of the others are tokens
		return 0, "", errHeadField
	}
	for value != "" && (value[0] == ' ' || value[0] == '\t') {
		value = value[1:]
	}
	for value != "" && (value[len(value)-1] == ' ' || value[len(value)-1] == '\t') {
		value = value[:len(value)-1]
	}
	return kind, value, nil
}

// nameKind returns the kind of a field by its name (any bytes; ASCII
// letters in any case, as net/http reads names).
func nameKind(name string) fieldKind {
	switch len(name) {
	case 4:
		if lowerIs(name, "host") {
			return fieldHost
		}
	case 6:
		switch {
		case lowerIs(name, "expect"):
			return fieldExpect
		case lowerIs(name, "origin"):
			return fieldOrigin
		}
	case 7:
		if lowerIs(name, "upgrade") {
			return fieldUpgrade
		}
	case 10:
		if lowerIs(name, "connection") {
			return fieldConnection
		}
	case 12:
		if lowerIs(name, "content-type") {
			return fieldType
		}
	case 14:
		switch {
		case lowerIs(name, "content-length"):
			return fieldLength
		case lowerIs(name, "http2-settings"):
			return fieldUpgrade
		}
	case 15:
		if lowerIs(name, "accept-encoding") {
			return fieldEncoding
		}
	case 17:
		if lowerIs(name, "transfer-encoding") {
			return fieldFraming
		}
	}
	return fieldOther
}

// isToken reports whether s is an RFC 9110 token (a header name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// validValue reports whether a field value has no control character but
// HTAB: 8 bytes at a time while none is below ' ' or DEL, then byte by
// byte.
func validValue(v string) bool {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := load64(v, i)
		if anyBelow(x, ' ') || anyBelow(x^(lsb*0x7f), 1) {
			break
		}
	}
	for ; i < len(v); i++ {
		if !valueChars[v[i]] {
			return false
		}
	}
	return true
}

// validTarget reports whether a request target has only visible ASCII but
// '#' (8 bytes at a time).
func validTarget(t string) bool {
	i := 0
	for ; i+8 <= len(t); i += 8 {
		x := load64(t, i)
		if anyBelow(x, '!') || anyAbove(x, '~') || anyBelow(x^(lsb*'#'), 1) {
			return false
		}
	}
	for ; i < len(t); i++ {
		if !targetChars[t[i]] {
			return false
		}
	}
	return true
}

// Bytes of a word, 8 at a time (the classic bit tricks: exact for "is
// there any").
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// load64 returns s[i:i+8] as a little-endian word (i+8 <= len(s)).
func load64(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// anyBelow reports whether a byte of x is below n (n <= 0x80).
func anyBelow(x uint64, n byte) bool {
	return (x-lsb*uint64(n))&^x&msb != 0
}

// anyAbove reports whether a byte of x is above n (n < 0x80).
func anyAbove(x uint64, n byte) bool {
	return ((x+lsb*uint64(0x7f-n))|x)&msb != 0
}

// lowerIs reports whether s, a token or a field value's option, is lower
// (lower-case ASCII letters, digits and '-', as long as s) with ASCII
// letters in any case, as net/http compares names and Connection options.
func lowerIs(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Byte classes of parseHead (true: allowed).
var (
	tokenChars  = byteClass(func(c byte) bool { return isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 })
	hostChars   = byteClass(func(c byte) bool { return isAlnum(c) || strings.IndexByte("-._~:[]", c) >= 0 })
	valueChars  = byteClass(func(c byte) bool { return (c >= ' ' || c == '\t') && c != 0x7f })
	targetChars = byteClass(func(c byte) bool { return c > ' ' && c < 0x7f && c != '#' })
)

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// byteClass returns the table of the bytes in.
func byteClass(in func(c byte) bool) (t [256]bool) {
	for c := range 256 {
		t[c] = in(byte(c))
	}
	return t
}

// validHost reports whether v has only characters of a host and port
// (net/http refuses others with 400).
func validHost(v string) bool {
	for i := 0; i < len(v); i++ {
		if !hostChars[v[i]] {
			return false
		}
	}
	return true
}

// parseLength parses a Content-Length value: 1 to 18 decimal digits.
func parseLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
