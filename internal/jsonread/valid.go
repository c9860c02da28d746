package jsonread

import "encoding/binary"

// Valid reports whether d is one valid JSON value, accepting exactly what
// json.Valid accepts (protocol/sio's fuzz tests check that) in a single pass
// without encoding/json's per-byte state machine: payloads are validated on
// every incoming packet, so this is on the hot path.
func Valid(d []byte) bool {
	i, ok := validValue(d, SkipSpace(d, 0), 0)
	return ok && SkipSpace(d, i) == len(d)
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

func validValue(d []byte, i, depth int) (int, bool) {
	if i >= len(d) {
		return i, false
	}
	switch c := d[i]; c {
	case '"':
		return validString(d, i)
	case '{':
		if depth++; depth > maxDepth {
			return i, false
		}
		i = SkipSpace(d, i+1)
		if i < len(d) && d[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(d) || d[i] != '"' {
				return i, false
			}
			var ok bool
			if i, ok = validString(d, i); !ok {
				return i, false
			}
			i = SkipSpace(d, i)
			if i >= len(d) || d[i] != ':' {
				return i, false
			}
			if i, ok = validValue(d, SkipSpace(d, i+1), depth); !ok {
				return i, false
			}
			var end bool
			if i, end, ok = NextElem(d, i, '}'); !ok || end {
				return i, ok
			}
		}
	case '[':
		if depth++; depth > maxDepth {
			return i, false
		}
		i = SkipSpace(d, i+1)
		if i < len(d) && d[i] == ']' {
			return i + 1, true
		}
		for {
			var ok, end bool
			if i, ok = validValue(d, i, depth); !ok {
				return i, false
			}
			if i, end, ok = NextElem(d, i, ']'); !ok || end {
				return i, ok
			}
		}
	case 't':
		return validLiteral(d, i, "true")
	case 'f':
		return validLiteral(d, i, "false")
	case 'n':
		return validLiteral(d, i, "null")
	default:
		if c == '-' || isDigit(c) {
			return validNumber(d, i)
		}
		return i, false
	}
}

func validLiteral(d []byte, i int, lit string) (int, bool) {
	if len(d)-i >= len(lit) && string(d[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// validString checks the string starting at d[i] == '"'. Like json.Valid it
// does not check UTF-8, only control characters and escapes. Plain bytes are
// skipped 8 at a time (SkipPlain), then one at a time up to the byte that
// stopped SkipPlain: a string's last few bytes and its closing quote cost a
// compare each, not a round through the escape switch.
func validString(d []byte, i int) (int, bool) {
	for i++; ; i++ {
		i = SkipPlain(d, i)
		for i < len(d) && plainByte(d[i]) {
			i++
		}
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case '"':
			return i + 1, true
		case '\\':
			i++
			if i >= len(d) {
				return i, false
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(d)-i < 5 || !isHex(d[i+1]) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) {
					return i, false
				}
				i += 4
			default:
				return i, false
			}
		default: // a control character
			return i, false
		}
	}
}

// plainByte reports whether c stands for itself inside a JSON string: not a
// quote, a backslash or a control character.
func plainByte(c byte) bool { return c >= 0x20 && c != '"' && c != '\\' }

// ValidElem checks the JSON value at d[i] (not a space), an element of a
// top-level array or object (nested as deep as Valid allows there), and
// returns the index just past it: a caller that walks the elements of a
// payload validates and splits it in one pass.
func ValidElem(d []byte, i int) (int, bool) { return validValue(d, i, 1) }

func isHex(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// validNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at d[i].
func validNumber(d []byte, i int) (int, bool) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i, true
}

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// special8 sets the high bit of the bytes of x (little-endian) that are
// below 0x20, '"' or '\\' (and maybe of bytes after the first such: a borrow
// only starts at one, so "any" is exact).
func special8(x uint64) uint64 {
	q := x ^ (ones8 * '"')
	b := x ^ (ones8 * '\\')
	return (x-ones8*0x20)&^x | (q-ones8)&^q | (b-ones8)&^b
}

// PlainASCII reports whether d is all ASCII that stands for itself inside a
// JSON string (no quote, backslash or control character): then the string
// is d as is. 32 bytes per round, as SkipPlain.
func PlainASCII(d []byte) bool {
	i := 0
	for ; i+32 <= len(d); i += 32 {
		w := d[i : i+32 : i+32]
		x0, x1 := binary.LittleEndian.Uint64(w[0:8]), binary.LittleEndian.Uint64(w[8:16])
		x2, x3 := binary.LittleEndian.Uint64(w[16:24]), binary.LittleEndian.Uint64(w[24:32])
		if (special8(x0)|special8(x1)|special8(x2)|special8(x3)|x0|x1|x2|x3)&high8 != 0 {
			return false
		}
	}
	for ; i < len(d); i++ {
		if c := d[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
