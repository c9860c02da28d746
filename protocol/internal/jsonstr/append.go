package jsonstr

import "unicode/utf8"

const hex = "0123456789abcdef"

// Append appends s to dst as a JSON string, byte for byte what JSON.stringify
// writes for the same text: '"' and '\\' escaped, \b \f \n \r \t as short
// escapes, other control characters as \u00XX, and nothing else escaped (no
// HTML escaping, U+2028 and U+2029 left as they are). Invalid UTF-8 bytes,
// which a JavaScript string cannot hold, become U+FFFD as in encoding/json.
func Append(dst []byte, s string) []byte { return appendString(dst, s, false) }

// AppendEncodingJSON appends s to dst as a JSON string, byte for byte what
// encoding/json writes with HTML escaping off: as Append, except that U+2028
// and U+2029 are escaped (\u2028, \u2029) and an invalid UTF-8 byte is
// written as the escape \ufffd.
func AppendEncodingJSON(dst []byte, s string) []byte { return appendString(dst, s, true) }

func appendString(dst []byte, s string, std bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			if std {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, "\uFFFD"...)
			}
			i += size
			start = i
			continue
		}
		if std && (r == '\u2028' || r == '\u2029') {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
