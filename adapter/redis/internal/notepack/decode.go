package notepack

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
)

// ErrMalformed reports MessagePack that notepack.io's decode would reject
// (or that this package rejects as stricter: see Decode).
var ErrMalformed = errors.New("notepack: malformed")

// Decode reads one value, as notepack.io's decode does, and fails when bytes
// follow it. Numbers become float64 (a uint 64 or int 64 as the nearest
// float64, as in JavaScript), strings with invalid UTF-8 get U+FFFD in place of
// the bad bytes, a map key must be a string, number, boolean or nil (stringified
// as JavaScript does; notepack.io would also take an array or a map as a key),
// and nesting is limited to 1000 levels.
func Decode(b []byte) (any, error) {
	r := bytes.NewReader(b)
	d := &decoder{r: r, d: msgpack.NewDecoder(r)}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, r.Len())
	}
	return v, nil
}

type decoder struct {
	r *bytes.Reader
	d *msgpack.Decoder
}

func malformed(err error) error {
	if errors.Is(err, ErrMalformed) || errors.Is(err, ErrDepth) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

func (d *decoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, ErrDepth
	}
	c, err := d.d.PeekCode()
	if err != nil {
		return nil, malformed(err)
	}
	switch {
	case c <= 0x7f || c >= 0xe0 || (c >= 0xca && c <= 0xd3 && c != 0xcf):
		f, err := d.d.DecodeFloat64()
		if err != nil {
			return nil, malformed(err)
		}
		return f, nil
	case c == 0xcf:
		n, err := d.d.DecodeUint64()
		if err != nil {
			return nil, malformed(err)
		}
		return float64(n), nil
	case c >= 0x80 && c <= 0x8f || c == 0xde || c == 0xdf:
		n, err := d.d.DecodeMapLen()
		if err != nil {
			return nil, malformed(err)
		}
		return d.mapValue(n, depth)
	case c >= 0x90 && c <= 0x9f || c == 0xdc || c == 0xdd:
		n, err := d.d.DecodeArrayLen()
		if err != nil {
			return nil, malformed(err)
		}
		// Each element takes at least a byte: an announced length past
		// what is left fails without allocating for it.
		if n > d.r.Len() {
			return nil, fmt.Errorf("%w: array of %d elements in %d bytes", ErrMalformed, n, d.r.Len())
		}
		arr := make([]any, n)
		for i := range arr {
			if arr[i], err = d.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return arr, nil
	case c >= 0xa0 && c <= 0xbf || c >= 0xd9 && c <= 0xdb:
		b, err := d.lenPrefixed()
		if err != nil {
			return nil, err
		}
		if !utf8.Valid(b) {
			return replaceInvalid(b), nil
		}
		return string(b), nil
	case c == 0xc0:
		_ = d.d.DecodeNil()
		return nil, nil
	case c == 0xc2 || c == 0xc3:
		b, err := d.d.DecodeBool()
		if err != nil {
			return nil, malformed(err)
		}
		return b, nil
	case c >= 0xc4 && c <= 0xc6:
		return d.lenPrefixed()
	case c >= 0xc7 && c <= 0xc9 || c >= 0xd4 && c <= 0xd8:
		return d.ext(c)
	}
	return nil, fmt.Errorf("%w: code 0x%02x", ErrMalformed, c)
}

func (d *decoder) mapValue(n, depth int) (any, error) {
	if n < 0 {
		return nil, nil
	}
	if 2*n > d.r.Len() {
		return nil, fmt.Errorf("%w: map of %d entries in %d bytes", ErrMalformed, n, d.r.Len())
	}
	m := &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
	for range n {
		kv, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		var k string
		switch x := kv.(type) {
		case string:
			k = x
		case float64:
			k = jsNumberString(x)
		case bool:
			k = "false"
			if x {
				k = "true"
			}
		case nil:
			k = "null"
		case Undefined:
			k = "undefined"
		default:
			return nil, fmt.Errorf("%w: map key of type %T", ErrMalformed, kv)
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if k == "__proto__" {
			// notepack.io assigns value[key] = ...: for this key that sets
			// the prototype (or does nothing), never an own property.
			continue
		}
		m.Set(k, v)
	}
	return m, nil
}

// lenPrefixed reads a str or bin: the length is checked against what is left
// before anything is allocated (the msgpack decoder would allocate it whole).
func (d *decoder) lenPrefixed() ([]byte, error) {
	n, err := d.d.DecodeBytesLen()
	if err != nil {
		return nil, malformed(err)
	}
	return d.read(n)
}

func (d *decoder) read(n int) ([]byte, error) {
	if n > d.r.Len() {
		return nil, fmt.Errorf("%w: %d bytes announced, %d left", ErrMalformed, n, d.r.Len())
	}
	b := make([]byte, n)
	if err := d.d.ReadFull(b); err != nil {
		return nil, malformed(err)
	}
	return b, nil
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// ext reads the extension types as notepack.io does: type 0 is undefined in a
// fixext 1, an ArrayBuffer in ext 8/16/32 and a legacy Date in a fixext 8;
// type -1 is a timestamp (fixext 4, fixext 8, and ext 8 which is always read
// as 12 bytes); any other extension is the array [type, Buffer].
func (d *decoder) ext(c byte) (any, error) {
	typ, n, err := d.d.DecodeExtHeader()
	if err != nil {
		return nil, malformed(err)
	}
	switch {
	case c == 0xd4 && typ == 0:
		if _, err := d.read(1); err != nil {
			return nil, err
		}
		return Undefined{}, nil
	case (c == 0xc7 || c == 0xc8 || c == 0xc9) && typ == 0:
		b, err := d.read(n)
		if err != nil {
			return nil, err
		}
		return ArrayBuffer(b), nil
	case c == 0xc7 && typ == -1:
		b, err := d.read(12)
		if err != nil {
			return nil, err
		}
		ns := float64(be32(b))
		hi := float64(int32(be32(b[4:])))
		lo := float64(be32(b[8:]))
		return timeClip((hi*0x100000000+lo)*1e3 + ns/1e6), nil
	case c == 0xd6 && typ == -1:
		b, err := d.read(4)
		if err != nil {
			return nil, err
		}
		return timeClip(float64(be32(b)) * 1e3), nil
	case c == 0xd7 && typ == 0:
		b, err := d.read(8)
		if err != nil {
			return nil, err
		}
		return timeClip(float64(int32(be32(b)))*0x100000000 + float64(be32(b[4:]))), nil
	case c == 0xd7 && typ == -1:
		b, err := d.read(8)
		if err != nil {
			return nil, err
		}
		hi, lo := be32(b), be32(b[4:])
		s := float64(hi&3)*0x100000000 + float64(lo)
		return timeClip(s*1e3 + float64(hi>>2)/1e6), nil
	}
	b, err := d.read(n)
	if err != nil {
		return nil, err
	}
	return []any{float64(typ), b}, nil
}

// jsNumberString is JavaScript's Number.prototype.toString().
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return string(appendJSNumber(nil, f))
}

// replaceInvalid decodes b as Node's buffer.toString("utf8") does (the WHATWG
// UTF-8 decoder): each maximal subpart of an invalid sequence becomes one
// U+FFFD.
func replaceInvalid(b []byte) string {
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		if r, n := utf8.DecodeRune(b[i:]); r != utf8.RuneError || n > 1 {
			out = append(out, b[i:i+n]...)
			i += n
			continue
		}
		out = append(out, "\uFFFD"...)
		i += maximalSubpart(b[i:])
	}
	return string(out)
}

// maximalSubpart returns the length of the invalid sequence starting b that
// the WHATWG decoder replaces by one U+FFFD: the lead byte and the
// continuation bytes that could still have completed it.
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xbf)
	switch {
	case c >= 0xc2 && c <= 0xdf:
		need = 1
	case c >= 0xe0 && c <= 0xef:
		need = 2
		if c == 0xe0 {
			lo = 0xa0
		} else if c == 0xed {
			hi = 0x9f
		}
	case c >= 0xf0 && c <= 0xf4:
		need = 3
		if c == 0xf0 {
			lo = 0x90
		} else if c == 0xf4 {
			hi = 0x8f
		}
	default:
		return 1
	}
	n := 1
	for ; n <= need && n < len(b); n++ {
		if b[n] < lo || b[n] > hi {
			break
		}
		lo, hi = 0x80, 0xbf
	}
	return n
}
