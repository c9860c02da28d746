package engine

import (
	"bytes"
	"errors"
	"strings"
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
	i := bytes.Index(b, crlfCRLF)
	if i < 0 {
		return -1
	}
	return i + len(crlfCRLF)
}

var crlfCRLF = []byte("\r\n\r\n")

// parseHead parses a complete request head (headEnd's bytes, ending with
// "\r\n\r\n"). It accepts only what Serve answers itself, and only in the
// one form nobody reads two ways: HTTP/1.1, GET or POST, an origin-form
// target of visible ASCII, lines ending in CRLF (no bare CR or LF
// anywhere), no obsolete line folding, header names that are tokens
// followed at once by ':', values without control characters, exactly one
// valid Host, no Transfer-Encoding, Expect or Upgrade (nor an "upgrade"
// Connection option), and a body length given only by exactly one
// Content-Length of decimal digits, on POST only. Anything else is an
// error: the request goes to net/http untouched.
func parseHead(head string) (h reqHead, err error) {
	if len(head) > maxHeadBytes {
		return h, errHeadTooLong
	}
	if !strings.HasSuffix(head, "\r\n\r\n") {
		return h, errHeadIncomplet
	}
	line, rest, _ := strings.Cut(head, "\r\n")
	if strings.IndexByte(line, '\n') >= 0 || strings.IndexByte(line, '\r') >= 0 {
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
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return h, errHeadTarget
		}
	}
	h.path, h.query, _ = strings.Cut(target, "?")

	var hosts, lengths int
	length := int64(-1)
	fields := rest[:len(rest)-2] // without the final empty line
	for n := 0; fields != ""; n++ {
		if n == maxHeadFields {
			return h, errHeadFields
		}
		line, fields, _ = strings.Cut(fields, "\r\n")
		if strings.IndexByte(line, '\n') >= 0 || strings.IndexByte(line, '\r') >= 0 {
			return h, errHeadBareCRLF
		}
		if line == "" {
			return h, errHeadField // an empty line before the end: cannot be, but be sure
		}
		if line[0] == ' ' || line[0] == '\t' {
			return h, errHeadFold
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || !isToken(name) {
			return h, errHeadField
		}
		value = strings.Trim(value, " \t")
		if !validFieldValue(value) {
			return h, errHeadField
		}
		switch {
		case strings.EqualFold(name, "Host"):
			hosts++
			if !validHost(value) {
				return h, errHeadHost
			}
		case strings.EqualFold(name, "Content-Length"):
			lengths++
			if length, ok = parseLength(value); !ok {
				return h, errHeadLength
			}
		case strings.EqualFold(name, "Transfer-Encoding"):
			return h, errHeadFraming
		case strings.EqualFold(name, "Expect"):
			return h, errHeadExpect
		case strings.EqualFold(name, "Upgrade"), strings.EqualFold(name, "HTTP2-Settings"):
			return h, errHeadUpgrade
		case strings.EqualFold(name, "Connection"):
			for opt := range strings.SplitSeq(value, ",") {
				opt = strings.Trim(opt, " \t")
				switch {
				case strings.EqualFold(opt, "close"):
					h.close = true
				case strings.EqualFold(opt, "upgrade"):
					return h, errHeadUpgrade
				}
			}
		case strings.EqualFold(name, "Content-Type"):
			if h.contentType == "" {
				h.contentType = value
			}
		case strings.EqualFold(name, "Accept-Encoding"):
			if h.acceptEncoding == "" {
				h.acceptEncoding = value
			}
		case strings.EqualFold(name, "Origin"):
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

// isToken reports whether s is an RFC 9110 token (a header name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validFieldValue reports whether v has no control character but HTAB
// (obs-text, 0x80 and over, is allowed, as net/http does).
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validHost reports whether v has only characters of a host and port
// (net/http refuses others with 400).
func validHost(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~:[]", c) >= 0:
		default:
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
