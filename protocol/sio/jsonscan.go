package sio

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/duplexio/duplex/internal/jsonread"
)

// This file walks JSON text without decoding it, so that arguments stay
// byte-identical until a handler asks for a type. The scanners are structural:
// they find where values end but do not validate literals (DecodeText checks
// payloads with validJSON first). On any input they terminate and never
// panic; malformed structure is reported as not ok.

// valueEnd returns the index just past the JSON value starting at d[i] (which
// is not a space), or -1 if none ends there.
func valueEnd(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		return stringEnd(d, i)
	case '{', '[':
		depth := 0
		for ; i < len(d); i++ {
			switch d[i] {
			case '"':
				e := stringEnd(d, i)
				if e < 0 {
					return -1
				}
				i = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	case ',', ':', ']', '}':
		return -1
	default:
		j := i
		for j < len(d) {
			switch d[j] {
			case ',', ':', '[', ']', '{', '}', '"', ' ', '\t', '\n', '\r':
				return j
			}
			j++
		}
		return j
	}
}

// stringEnd returns the index just past the JSON string starting at
// d[i] == '"', or -1 if it is not terminated.
func stringEnd(d []byte, i int) int {
	for i++; ; i++ {
		i = jsonread.SkipPlain(d, i)
		for i < len(d) && d[i] != '"' && d[i] != '\\' {
			i++
		}
		if i >= len(d) {
			return -1
		}
		if d[i] == '"' {
			return i + 1
		}
		i++ // the escaped byte
	}
}

// splitArray appends the elements of the JSON array d to dst. ok is false when
// d is not structurally one array.
func splitArray(dst []json.RawMessage, d []byte) (_ []json.RawMessage, ok bool) {
	i := jsonread.SkipSpace(d, 0)
	if i >= len(d) || d[i] != '[' {
		return dst, false
	}
	i = jsonread.SkipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return dst, jsonread.SkipSpace(d, i+1) == len(d)
	}
	for {
		e := valueEnd(d, i)
		if e < 0 {
			return dst, false
		}
		dst = append(dst, json.RawMessage(d[i:e:e]))
		var end bool
		if i, end, ok = jsonread.NextElem(d, e, ']'); !ok || end {
			return dst, ok && jsonread.SkipSpace(d, i) == len(d)
		}
	}
}

// validSplit is splitArray for a payload not validated yet: it appends the
// elements of the JSON array d to dst, checking each as json.Valid would
// check it inside d, so that one pass validates and splits. ok is false when
// d is not exactly one valid JSON array.
func validSplit(dst []json.RawMessage, d []byte) (_ []json.RawMessage, ok bool) {
	i := jsonread.SkipSpace(d, 0)
	if i >= len(d) || d[i] != '[' {
		return dst, false
	}
	i = jsonread.SkipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return dst, jsonread.SkipSpace(d, i+1) == len(d)
	}
	for {
		e, ok := jsonread.ValidElem(d, i)
		if !ok {
			return dst, false
		}
		dst = append(dst, json.RawMessage(d[i:e:e]))
		var end bool
		if i, end, ok = jsonread.NextElem(d, e, ']'); !ok || end {
			return dst, ok && jsonread.SkipSpace(d, i) == len(d)
		}
	}
}

// firstElem returns the first element of the JSON array d, if it has one.
func firstElem(d []byte) (json.RawMessage, bool) {
	i := jsonread.SkipSpace(d, 0)
	if i >= len(d) || d[i] != '[' {
		return nil, false
	}
	i = jsonread.SkipSpace(d, i+1)
	end := valueEnd(d, i)
	if end < 0 {
		return nil, false
	}
	return json.RawMessage(d[i:end:end]), true
}

// unquote returns the text of the JSON string s (quotes included), as
// json.Unmarshal would, taking a fast path when it has no escapes.
func unquote(s []byte) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	// 32 bytes at a time (a WebAssembly client unquotes every string
	// argument its handlers decode).
	if jsonread.PlainASCII(inner) {
		return string(inner), true
	}
	for i := jsonread.SkipPlain(inner, 0); i < len(inner); i++ {
		if c := inner[i]; c == '\\' || c == '"' || c < 0x20 {
			return unquoteSlow(s)
		}
	}
	if !utf8.Valid(inner) {
		return unquoteSlow(s) // invalid UTF-8 becomes U+FFFD
	}
	return string(inner), true
}

// unquoteSlow handles strings with escapes or non-ASCII text.
func unquoteSlow(s []byte) (string, bool) {
	return jsonread.Unquote(s)
}

// equalString reports whether the JSON string s (quotes included) is the text
// want, without allocating when s has no escapes.
func equalString(s []byte, want string) bool {
	if len(s) == len(want)+2 && s[0] == '"' && string(s[1:len(s)-1]) == want {
		return true
	}
	if strings.IndexByte(string(s), '\\') < 0 {
		return false
	}
	got, ok := unquote(s)
	return ok && got == want
}

// jsNumberString returns the JSON number n as JavaScript's String(Number(n))
// writes it: the key under which the reference registers an event whose name
// is a number (1.0 -> "1", 1e21 -> "1e+21", 1e-7 -> "1e-7").
func jsNumberString(n []byte) (string, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil && !isRangeErr(err) {
		return "", false
	}
	switch {
	case math.IsInf(f, 0):
		if f > 0 {
			return "Infinity", true
		}
		return "-Infinity", true
	case f == 0:
		return "0", true
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1e-07, 1.5e+21
	mant, exp, _ := strings.Cut(s, "e")
	sign, exp := exp[:1], strings.TrimLeft(exp[1:], "0")
	return mant + "e" + sign + exp, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
