package notepack

import (
	"math"
	"strconv"
)

// Undefined is JavaScript's undefined: notepack.io reads it from fixext 1 of
// type 0 and writes it as nil; an object property whose value is Undefined is
// not written at all.
type Undefined struct{}

// ArrayBuffer is a JavaScript ArrayBuffer, read from notepack.io's legacy ext
// type 0. notepack.io writes an ArrayBuffer as a bin, like a Buffer.
type ArrayBuffer []byte

// Date is a JavaScript Date: milliseconds since the Unix epoch, an integer, or
// NaN for an invalid date.
type Date float64

// maxDate is the largest magnitude a JavaScript Date holds (TimeClip).
const maxDate = 8.64e15

// timeClip is ECMAScript's TimeClip: NaN out of range, else truncated.
func timeClip(ms float64) Date {
	if math.IsNaN(ms) || math.IsInf(ms, 0) || math.Abs(ms) > maxDate {
		return Date(math.NaN())
	}
	return Date(math.Trunc(ms) + 0) // + 0 turns -0 into 0
}

// Valid reports whether d is a valid date.
func (d Date) Valid() bool { return !math.IsNaN(float64(d)) }

// Map is a JavaScript object: string keys in JavaScript property order
// (array-index keys first, ascending, then the others in insertion order).
// Setting a key that exists replaces its value in place. The zero Map is
// empty and ready to use.
type Map struct {
	keys []string
	vals []any
}

// NewMap returns a map of the key-value pairs kv (key, value, key, value...;
// keys must be strings).
func NewMap(kv ...any) *Map {
	m := &Map{}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

// Len returns the number of keys.
func (m *Map) Len() int { return len(m.keys) }

// Keys returns the keys in order (the slice is m's: do not modify it).
func (m *Map) Keys() []string { return m.keys }

// At returns the i-th key and value.
func (m *Map) At(i int) (string, any) { return m.keys[i], m.vals[i] }

func (m *Map) find(k string) int {
	for i, x := range m.keys {
		if x == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k.
func (m *Map) Get(k string) (any, bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// Set sets key k to v.
func (m *Map) Set(k string, v any) {
	if i := m.find(k); i >= 0 {
		m.vals[i] = v
		return
	}
	idx, ok := arrayIndex(k)
	if !ok {
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		return
	}
	// Array-index keys come first, ascending.
	pos := 0
	for pos < len(m.keys) {
		j, isIdx := arrayIndex(m.keys[pos])
		if !isIdx || j > idx {
			break
		}
		pos++
	}
	m.keys = append(m.keys, "")
	copy(m.keys[pos+1:], m.keys[pos:])
	m.keys[pos] = k
	m.vals = append(m.vals, nil)
	copy(m.vals[pos+1:], m.vals[pos:])
	m.vals[pos] = v
}

// Delete removes key k.
func (m *Map) Delete(k string) {
	if i := m.find(k); i >= 0 {
		m.keys = append(m.keys[:i], m.keys[i+1:]...)
		m.vals = append(m.vals[:i], m.vals[i+1:]...)
	}
}

// arrayIndex reports whether k is a canonical array index ("0", "17"; at
// most 2^32-2), which JavaScript orders before the other keys of an object.
func arrayIndex(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n > math.MaxUint32-1 {
		return 0, false
	}
	return uint32(n), true
}

// toUint32 is ECMAScript's ToUint32 (and, byte for byte, ToInt32): what a
// JavaScript number becomes when written to a byte of a Buffer after shifts.
func toUint32(f float64) uint32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	t := math.Mod(math.Trunc(f), 4294967296)
	if t < 0 {
		t += 4294967296
	}
	return uint32(t)
}
