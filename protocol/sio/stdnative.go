package sio

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/duplexio/duplex/internal/jsonread"
	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/internal/jsonstr"
)

// native is what std does in the browser build (nativeStd): it writes v as
// encoding/json's Encoder with SetEscapeHTML(false) writes it, without
// encoding/json (whose encoder, with fmt and its sort instantiations, is a
// fifth of a wasm binary). The fuzz and table tests compare the two on every
// build. Natively std keeps encoding/json, whose per-type encoder cache the
// server's hot paths rely on.
func (e *argEncoder) native(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	t := v.Type()
	if t.Kind() != reflect.Pointer && v.CanAddr() {
		if pt := reflect.PointerTo(t); pt.Implements(marshalerType()) || pt.Implements(textMarshalerType()) {
			return e.native(v.Addr())
		}
	}
	if t.Implements(marshalerType()) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return wrap.New(ErrUnsupportedValue.Error()+": json: error calling MarshalJSON for type "+t.String()+": "+err.Error(), ErrUnsupportedValue, err)
		}
		if !jsonread.Valid(b) {
			return wrap.With(ErrUnsupportedValue, "json: error calling MarshalJSON for type "+t.String()+": invalid JSON")
		}
		e.buf = appendCompact(e.buf, b)
		return nil
	}
	if t.Implements(textMarshalerType()) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return wrap.New(ErrUnsupportedValue.Error()+": json: error calling MarshalText for type "+t.String()+": "+err.Error(), ErrUnsupportedValue, err)
		}
		e.buf = appendStdString(e.buf, string(b))
		return nil
	}
	if e.depth++; e.depth > maxDepth {
		return errTooDeep
	}
	defer func() { e.depth-- }()
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.stdFloat(v.Float(), t.Bits())
	case reflect.String:
		if t == numberType() {
			n := v.String()
			if n == "" {
				n = "0"
			}
			if !isJSONNumber(n) {
				return wrap.With(ErrUnsupportedValue, "json: invalid number literal "+strconv.Quote(n))
			}
			e.buf = append(e.buf, n...)
			return nil
		}
		e.buf = appendStdString(e.buf, v.String())
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.native(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType()) && !reflect.PointerTo(t.Elem()).Implements(textMarshalerType()) {
			b := v.Bytes()
			e.buf = append(e.buf, '"')
			e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
			e.buf = append(e.buf, '"')
			return nil
		}
		return e.nativeElems(v)
	case reflect.Array:
		return e.nativeElems(v)
	case reflect.Map:
		return e.mapWith(v, appendStdString)
	case reflect.Struct:
		return e.structValue(v)
	default:
		return wrap.With(ErrUnsupportedValue, "json: unsupported type: "+t.String())
	}
	return nil
}

func (e *argEncoder) nativeElems(v reflect.Value) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.native(v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func numberType() reflect.Type { return reflect.TypeFor[json.Number]() }

// isJSONNumber reports whether s is a JSON number literal.
func isJSONNumber(s string) bool {
	return len(s) > 0 && (s[0] == '-' || isDigit(s[0])) && jsonread.Valid([]byte(s))
}

// stdFloat is encoding/json's float encoder: NaN and infinities are errors,
// exponents below 1e-6 and from 1e21 on, e-07 written e-7.
func (e *argEncoder) stdFloat(f float64, bits int) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return wrap.With(ErrUnsupportedValue, "json: unsupported value: "+strconv.FormatFloat(f, 'g', -1, bits))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.buf = b
	return nil
}

// appendStdString is encoding/json's string encoding without HTML escaping
// (unlike JSON.stringify: U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd).
func appendStdString(dst []byte, s string) []byte { return jsonstr.AppendEncodingJSON(dst, s) }

// appendCompact appends the valid JSON src without the spaces between tokens
// (encoding/json's compact without HTML escaping).
func appendCompact(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case jsonread.IsSpace(c):
			continue
		case c == '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
