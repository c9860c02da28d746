package notepack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrAttachments reports a binary placeholder that names no attachment
// (socket.io-parser's "illegal attachments").
var ErrAttachments = errors.New("notepack: illegal attachments")

// AppendJSON appends v as JSON.stringify writes it, after socket.io-parser's
// deconstructPacket when attach is not nil: each []byte or ArrayBuffer is
// appended to *attach and written as {"_placeholder":true,"num":N}. With attach
// nil a []byte is written as a Buffer's toJSON ({"type":"Buffer","data":[...]})
// and an ArrayBuffer as {}. An Undefined property is left out, an Undefined
// array element is null; a Date is its toISOString (null when invalid); a
// number that is not finite is null.
func AppendJSON(dst []byte, v any, attach *[][]byte) ([]byte, error) {
	return appendJSON(dst, v, attach, 0)
}

func appendJSON(dst []byte, v any, attach *[][]byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, ErrDepth
	}
	var err error
	switch x := v.(type) {
	case nil, Undefined:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case float64:
		return appendJSNumberJSON(dst, x), nil
	case float32:
		return appendJSNumberJSON(dst, float64(x)), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case string:
		return appendJSString(dst, x), nil
	case Date:
		if !x.Valid() {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '"')
		dst = appendISO(dst, int64(x))
		return append(dst, '"'), nil
	case time.Time:
		return appendJSON(dst, Date(float64(x.UnixMilli())), attach, depth)
	case []byte:
		if attach != nil {
			return appendPlaceholder(dst, x, attach), nil
		}
		dst = append(dst, `{"type":"Buffer","data":[`...)
		for i, c := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendUint(dst, uint64(c), 10)
		}
		return append(dst, "]}"...), nil
	case ArrayBuffer:
		if attach != nil {
			return appendPlaceholder(dst, x, attach), nil
		}
		return append(dst, "{}"...), nil
	case []any:
		dst = append(dst, '[')
		for i, el := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendJSON(dst, el, attach, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case []string:
		dst = append(dst, '[')
		for i, el := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSString(dst, el)
		}
		return append(dst, ']'), nil
	case *Map:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		first := true
		for i, k := range x.keys {
			if _, u := x.vals[i].(Undefined); u {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendJSString(dst, k)
			dst = append(dst, ':')
			if dst, err = appendJSON(dst, x.vals[i], attach, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		m := &Map{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			m.Set(k, x[k])
		}
		return appendJSON(dst, m, attach, depth)
	case json.RawMessage:
		val, err := FromJSON(x, nil)
		if err != nil {
			return nil, err
		}
		return appendJSON(dst, val, attach, depth)
	}
	return nil, fmt.Errorf("notepack: cannot write %T as JSON", v)
}

func appendPlaceholder(dst, b []byte, attach *[][]byte) []byte {
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(len(*attach)), 10)
	*attach = append(*attach, b)
	return append(dst, '}')
}

func appendJSNumberJSON(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	return appendJSNumber(dst, f)
}

// appendJSNumber appends a finite number as JavaScript's Number toString
// (which is also JSON.stringify's): the shortest round-tripping digits, in
// exponent form below 1e-6 and from 1e21, and -0 as 0.
func appendJSNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7 (JavaScript writes no leading zero in exponents).
		b := dst[start:]
		if i := bytes.IndexByte(b, 'e'); i >= 0 {
			j := i + 2 // after the sign
			k := j
			for k < len(b)-1 && b[k] == '0' {
				k++
			}
			if k > j {
				dst = append(dst[:start+j], b[k:]...)
			}
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSString appends s quoted as JSON.stringify does: only '"', '\\' and
// the control characters are escaped (invalid UTF-8 becomes U+FFFD).
func appendJSString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
	}
	return append(dst, '"')
}

// appendISO appends Date.prototype.toISOString of ms (a valid date).
func appendISO(dst []byte, ms int64) []byte {
	t := time.UnixMilli(ms).UTC()
	y := t.Year()
	switch {
	case y < 0:
		dst = append(dst, '-')
		dst = appendPad(dst, -y, 6)
	case y > 9999:
		dst = append(dst, '+')
		dst = appendPad(dst, y, 6)
	default:
		dst = appendPad(dst, y, 4)
	}
	dst = append(dst, '-')
	dst = appendPad(dst, int(t.Month()), 2)
	dst = append(dst, '-')
	dst = appendPad(dst, t.Day(), 2)
	dst = append(dst, 'T')
	dst = appendPad(dst, t.Hour(), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, t.Minute(), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, t.Second(), 2)
	dst = append(dst, '.')
	dst = appendPad(dst, t.Nanosecond()/1e6, 3)
	return append(dst, 'Z')
}

func appendPad(dst []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// FromJSON parses data as JSON.parse does (numbers become float64, objects
// *Map in JavaScript property order, a repeated key keeps its first place and
// its last value; invalid UTF-8 and lone surrogate escapes become U+FFFD) and,
// when attachments is not empty, replaces the binary placeholders
// {"_placeholder":true,"num":N} by attachments[N] as socket.io-parser's
// reconstructPacket does.
func FromJSON(data []byte, attachments [][]byte) (any, error) {
	p := &jsonParser{b: data, attachments: attachments}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.errorf("data after the value")
	}
	return v, nil
}

// jsonParser is a strict JSON reader (what encoding/json accepts).
type jsonParser struct {
	b           []byte
	i           int
	attachments [][]byte
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("notepack: JSON at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(lit string, v any) (any, error) {
	if len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return nil, p.errorf("invalid literal")
	}
	p.i += len(lit)
	return v, nil
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, ErrDepth
	}
	if p.i >= len(p.b) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		p.i++
		arr := []any{}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return arr, nil
		}
		for {
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			p.ws()
			if p.i >= len(p.b) {
				return nil, p.errorf("unterminated array")
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] == ']' {
				p.i++
				return arr, nil
			}
			return nil, p.errorf("expected , or ]")
		}
	case c == '"':
		return p.str()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, p.errorf("unexpected %q", p.b[p.i])
}

func (p *jsonParser) object(depth int) (any, error) {
	p.i++
	m := &Map{}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.errorf("expected a key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.errorf("expected :")
		}
		p.i++
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m.Set(k.(string), v)
		p.ws()
		if p.i >= len(p.b) {
			return nil, p.errorf("unterminated object")
		}
		if p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.b[p.i] == '}' {
			p.i++
			break
		}
		return nil, p.errorf("expected , or }")
	}
	if len(p.attachments) > 0 {
		if ph, _ := m.Get("_placeholder"); ph == true {
			num, _ := m.Get("num")
			n, ok := num.(float64)
			if !ok || n < 0 || n != math.Trunc(n) || n >= float64(len(p.attachments)) {
				return nil, ErrAttachments
			}
			return p.attachments[int(n)], nil
		}
	}
	return m, nil
}

func (p *jsonParser) number() (any, error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.b) && p.b[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.errorf("invalid number")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, p.errorf("number: %v", err)
	}
	return f, nil
}

// str reads a string (p.b[p.i] is the opening quote).
func (p *jsonParser) str() (any, error) {
	p.i++
	start := p.i
	// Fast path: no escape, ASCII or valid UTF-8.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := p.b[start:p.i]
			p.i++
			if utf8.Valid(s) {
				return string(s), nil
			}
			return string(bytes.ToValidUTF8(s, []byte("\uFFFD"))), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	out := append([]byte(nil), p.b[start:p.i]...)
	for {
		if p.i >= len(p.b) {
			return nil, p.errorf("unterminated string")
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(out) {
				out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
			}
			return string(out), nil
		case c < 0x20:
			return nil, p.errorf("control character in string")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			return nil, p.errorf("unterminated escape")
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					var ok2 bool
					if r2, ok2 = p.hex4(); !ok2 {
						return nil, p.errorf("invalid \\u escape")
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						continue
					}
					p.i = save // not a pair: the second escape stands alone
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, p.errorf("invalid escape")
		}
	}
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}
