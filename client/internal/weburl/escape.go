package weburl

import "strings"

const upperhex = "0123456789ABCDEF"

// unreserved reports the characters RFC 3986 leaves unescaped everywhere.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// keptInPath: the reserved characters net/url leaves unescaped in a path.
func keptInPath(c byte) bool {
	switch c {
	case '$', '&', '+', ',', '/', ':', ';', '=', '@':
		return true
	}
	return false
}

// EscapePath escapes a path as net/url's URL.EscapedPath does for a URL whose
// Path is p (and RawPath empty).
func EscapePath(p string) string {
	return escape(p, func(c byte) bool { return unreserved(c) || keptInPath(c) }, false)
}

// QueryEscape escapes s for a query component, as net/url's QueryEscape.
func QueryEscape(s string) string { return escape(s, unreserved, true) }

func escape(s string, keep func(byte) bool, spacePlus bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			n++ // a space written as '+' counts too: s changes
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case keep(c):
			b.WriteByte(c)
		case spacePlus && c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		}
	}
	return b.String()
}

// EncodeQuery encodes q as net/url's Values.Encode does: key=value pairs
// joined by &, sorted by key, each key's values in order, both escaped with
// QueryEscape.
func EncodeQuery(q map[string][]string) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	// An insertion sort: a query has a few keys, and slices.Sort's
	// instantiation for strings is ~17 KB of client.wasm.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j-1] > keys[j]; j-- {
			keys[j-1], keys[j] = keys[j], keys[j-1]
		}
	}
	var b strings.Builder
	for _, k := range keys {
		ek := QueryEscape(k)
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(QueryEscape(v))
		}
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Unescape decodes the %XX escapes of a path ('+' stays a '+'), as net/url's
// PathUnescape does for a valid path; an invalid escape, which the browser's
// URL keeps in a pathname, is kept as it is (PathUnescape fails on it).
func Unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
