package notepack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// Encode returns v in MessagePack as notepack.io's encode writes it.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Encoder writes values to a bytes.Buffer (reuse one to spare allocations).
type Encoder struct {
	buf *bytes.Buffer
	enc *msgpack.Encoder
}

// NewEncoder returns an Encoder appending to buf.
func NewEncoder(buf *bytes.Buffer) *Encoder {
	return &Encoder{buf: buf, enc: msgpack.NewEncoder(buf)}
}

// Encode appends v.
func (e *Encoder) Encode(v any) error { return e.encode(v, 0) }

// maxDepth bounds the nesting of arrays and maps, read or written.
const maxDepth = 1000

// ErrDepth reports a value nested deeper than maxDepth.
var ErrDepth = fmt.Errorf("notepack: nested deeper than %d", maxDepth)

func (e *Encoder) encode(v any, depth int) error {
	if depth > maxDepth {
		return ErrDepth
	}
	switch x := v.(type) {
	case nil, Undefined:
		return e.enc.EncodeNil()
	case bool:
		return e.enc.EncodeBool(x)
	case float64:
		return e.number(x)
	case float32:
		return e.number(float64(x))
	case int:
		return e.enc.EncodeInt(int64(x))
	case int8:
		return e.enc.EncodeInt(int64(x))
	case int16:
		return e.enc.EncodeInt(int64(x))
	case int32:
		return e.enc.EncodeInt(int64(x))
	case int64:
		return e.enc.EncodeInt(x)
	case uint:
		return e.enc.EncodeUint(uint64(x))
	case uint8:
		return e.enc.EncodeUint(uint64(x))
	case uint16:
		return e.enc.EncodeUint(uint64(x))
	case uint32:
		return e.enc.EncodeUint(uint64(x))
	case uint64:
		return e.enc.EncodeUint(x)
	case string:
		return e.enc.EncodeString(x)
	case []byte:
		if x == nil {
			x = []byte{}
		}
		return e.enc.EncodeBytes(x)
	case ArrayBuffer:
		if x == nil {
			x = ArrayBuffer{}
		}
		return e.enc.EncodeBytes(x)
	case Date:
		return e.date(float64(x))
	case time.Time:
		return e.date(float64(x.UnixMilli()))
	case []any:
		if err := e.enc.EncodeArrayLen(len(x)); err != nil {
			return err
		}
		for _, el := range x {
			if err := e.encode(el, depth+1); err != nil {
				return err
			}
		}
		return nil
	case []string:
		if err := e.enc.EncodeArrayLen(len(x)); err != nil {
			return err
		}
		for _, el := range x {
			if err := e.enc.EncodeString(el); err != nil {
				return err
			}
		}
		return nil
	case *Map:
		if x == nil {
			return e.enc.EncodeNil()
		}
		n := 0
		for _, val := range x.vals {
			if _, u := val.(Undefined); !u {
				n++
			}
		}
		if err := e.enc.EncodeMapLen(n); err != nil {
			return err
		}
		for i, k := range x.keys {
			if _, u := x.vals[i].(Undefined); u {
				continue
			}
			if err := e.enc.EncodeString(k); err != nil {
				return err
			}
			if err := e.encode(x.vals[i], depth+1); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if x == nil {
			return e.enc.EncodeNil()
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
		return e.encode(m, depth)
	case json.RawMessage:
		val, err := FromJSON(x, nil)
		if err != nil {
			return err
		}
		return e.encode(val, depth)
	}
	return fmt.Errorf("notepack: cannot encode %T", v)
}

// number writes a JavaScript number as notepack.io does: an integral finite
// value as the smallest integer format, anything else as a float 64. Past 32
// bits the bytes are computed as notepack.io computes them (hi and lo words
// through ToUint32), which wraps beyond 2^64 exactly as it does.
func (e *Encoder) number(f float64) error {
	if math.IsNaN(f) {
		// Node writes the canonical quiet NaN, whatever NaN it holds.
		e.buf.Write([]byte{0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0})
		return nil
	}
	if math.Floor(f) != f || math.IsInf(f, 0) {
		return e.enc.EncodeFloat64(f)
	}
	if f >= 0 {
		if f < 0x100000000 {
			return e.enc.EncodeUint(uint64(f))
		}
		hi, lo := toUint32(math.Trunc(f/4294967296)), toUint32(f)
		e.buf.WriteByte(0xcf)
		e.u32(hi)
		e.u32(lo)
		return nil
	}
	if f >= -0x80000000 {
		return e.enc.EncodeInt(int64(f))
	}
	hi, lo := toUint32(math.Floor(f/4294967296)), toUint32(f)
	e.buf.WriteByte(0xd3)
	e.u32(hi)
	e.u32(lo)
	return nil
}

func (e *Encoder) u32(v uint32) {
	e.buf.Write([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// date writes a Date as notepack.io does: timestamp 32 when whole seconds fit
// 32 bits, timestamp 64 up to 34 bits of seconds, timestamp 96 otherwise
// (also for invalid dates, whose fields are all zero).
func (e *Encoder) date(ms float64) error {
	s := math.Floor(ms / 1e3)
	ns := (ms - s*1e3) * 1e6
	b := func(f float64, shift uint) byte { return byte(toUint32(f) >> shift) }
	if s >= 0 && ns >= 0 && s <= 0x400000000-1 {
		if ns == 0 && s <= 0x100000000-1 {
			e.buf.Write([]byte{0xd6, 0xff, b(s, 24), b(s, 16), b(s, 8), b(s, 0)})
			return nil
		}
		hi := s / 0x100000000
		e.buf.Write([]byte{0xd7, 0xff, b(ns, 22), b(ns, 14), b(ns, 6), b(hi, 0), b(s, 24), b(s, 16), b(s, 8), b(s, 0)})
		return nil
	}
	hi := math.Floor(s / 0x100000000)
	e.buf.Write([]byte{0xc7, 0x0c, 0xff, b(ns, 24), b(ns, 16), b(ns, 8), b(ns, 0),
		b(hi, 24), b(hi, 16), b(hi, 8), b(hi, 0), b(s, 24), b(s, 16), b(s, 8), b(s, 0)})
	return nil
}
