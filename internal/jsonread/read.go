package jsonread

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// IsSpace reports whether c is JSON whitespace.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// SkipSpace returns the index of the first byte of d at or after i that is
// not JSON whitespace.
func SkipSpace(d []byte, i int) int {
	for i < len(d) && IsSpace(d[i]) {
		i++
	}
	return i
}

// NextElem reads what follows an element of an array or an object (spaces,
// then ',' or close), from d[i]. It returns the index of the next element, or
// the index past close with end true; ok is false when neither follows.
func NextElem(d []byte, i int, close byte) (next int, end, ok bool) {
	for ; i < len(d); i++ {
		switch c := d[i]; {
		case c == ',':
			return SkipSpace(d, i+1), false, true
		case c == close:
			return i + 1, true, true
		case !IsSpace(c):
			return i, false, false
		}
	}
	return i, false, false
}

// Unquote returns the text of s, one JSON string with its quotes and nothing
// around it, as json.Unmarshal into a string gives it: escapes decoded,
// invalid UTF-8 and unpaired surrogates replaced by U+FFFD. ok is false when
// s is not exactly one valid JSON string.
func Unquote(s []byte) (_ string, ok bool) {
	if len(s) < 2 || s[0] != '"' {
		return "", false
	}
	if e, ok := validString(s, 0); !ok || e != len(s) {
		return "", false
	}
	inner := s[1 : len(s)-1]
	simple := true
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			simple = false
			break
		}
	}
	if simple || (!containsByte(inner, '\\') && utf8.Valid(inner)) {
		return string(inner), true
	}
	b := make([]byte, 0, len(inner)+8)
	for i := 0; i < len(inner); {
		c := inner[i]
		switch {
		case c == '\\':
			i++
			switch e := inner[i]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(inner[i+1 : i+5])
				i += 4
				if utf16.IsSurrogate(r) {
					// A pair when a \u escape of the low half follows.
					if len(inner)-i >= 7 && inner[i+1] == '\\' && inner[i+2] == 'u' {
						if r2 := hex4(inner[i+3 : i+7]); utf16.DecodeRune(r, r2) != unicode.ReplacementChar {
							b = utf8.AppendRune(b, utf16.DecodeRune(r, r2))
							i += 7
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default: // '"', '\\', '/'
				b = append(b, e)
			}
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRune(inner[i:])
			if r == utf8.RuneError && n == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, inner[i:i+n]...)
			}
			i += n
		}
	}
	return string(b), true
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// hex4 decodes four hex digits (checked by validString).
func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// Object calls fn for each member of the JSON object d (spaces around it
// allowed), in order, with its key unquoted and its value's text; fn
// returning false stops the walk. ok is false, before any call, when d is not
// one valid JSON object: as json.Unmarshal, which checks the whole text first.
func Object(d []byte, fn func(key string, val []byte) bool) (ok bool) {
	i := SkipSpace(d, 0)
	if i >= len(d) || d[i] != '{' || !Valid(d) {
		return false
	}
	i = SkipSpace(d, i+1)
	if d[i] == '}' {
		return true
	}
	for {
		ke, _ := validString(d, i)
		key, _ := Unquote(d[i:ke])
		vs := SkipSpace(d, SkipSpace(d, ke)+1) // past ':'
		ve, _ := validValue(d, vs, 0)
		if !fn(key, d[vs:ve]) {
			return true
		}
		var end bool
		if i, end, _ = NextElem(d, ve, '}'); end {
			return true
		}
	}
}

// Array calls fn for each element of the JSON array d (spaces around it
// allowed), in order; ok is false, before any call, when d is not one valid
// JSON array.
func Array(d []byte, fn func(val []byte) bool) (ok bool) {
	i := SkipSpace(d, 0)
	if i >= len(d) || d[i] != '[' || !Valid(d) {
		return false
	}
	i = SkipSpace(d, i+1)
	if d[i] == ']' {
		return true
	}
	for {
		ve, _ := validValue(d, i, 0)
		if !fn(d[i:ve]) {
			return true
		}
		var end bool
		if i, end, _ = NextElem(d, ve, ']'); end {
			return true
		}
	}
}

// Int64 is json.Unmarshal of the valid JSON value v into an int64: ok is
// false when v is not a number or not an integer in range (1.0 and 1e3 are
// not). v null is not handled here: Unmarshal leaves the target as it is.
func Int64(v []byte) (int64, bool) {
	if len(v) == 0 || (v[0] != '-' && !isDigit(v[0])) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	return n, err == nil
}

// IsNull reports whether the JSON value v is null (Unmarshal then leaves the
// target unchanged).
func IsNull(v []byte) bool { return string(v) == "null" }

// KeyMatches reports whether the object key matches the struct field name
// as json.Unmarshal matches them: exactly, or else equal after encoding/json's
// case folding (ASCII letters upper-cased, other runes mapped to the
// smallest rune of their unicode.SimpleFold orbit).
func KeyMatches(key, name string) bool {
	if key == name {
		return true
	}
	return string(fold(nil, key)) == string(fold(nil, name))
}

// fold is encoding/json's foldName.
func fold(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, foldRune(r))
		i += n
	}
	return b
}

// foldRune is the smallest rune of r's case-folding orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
