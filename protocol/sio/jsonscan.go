package sio

import "encoding/json"

// This file splits JSON arrays into their elements without decoding them, so
// that arguments stay byte-identical until a handler asks for a type. The
// functions expect input already checked by json.Valid.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at d[i].
func valueEnd(d []byte, i int) int {
	switch d[i] {
	case '"':
		return stringEnd(d, i)
	case '{', '[':
		depth := 0
		for ; i < len(d); i++ {
			switch d[i] {
			case '"':
				i = stringEnd(d, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(d)
	default:
		for i < len(d) {
			switch d[i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return len(d)
	}
}

// stringEnd returns the index just past the JSON string starting at d[i] == '"'.
func stringEnd(d []byte, i int) int {
	for i++; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(d)
}

// nextElem returns the array element at or after position i of the array d
// (i == 0 means the start of the array), and the position to continue from.
func nextElem(d []byte, i int) (elem json.RawMessage, next int, ok bool) {
	i = skipSpace(d, i)
	if i >= len(d) {
		return nil, i, false
	}
	if d[i] == '[' || d[i] == ',' {
		i = skipSpace(d, i+1)
	}
	if i >= len(d) || d[i] == ']' {
		return nil, i, false
	}
	end := valueEnd(d, i)
	return json.RawMessage(d[i:end:end]), end, true
}

// splitArray appends the elements of the JSON array d to dst.
func splitArray(dst []json.RawMessage, d []byte) []json.RawMessage {
	for i := 0; ; {
		e, next, ok := nextElem(d, i)
		if !ok {
			return dst
		}
		dst = append(dst, e)
		i = next
	}
}
