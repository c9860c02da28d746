package sio

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"

	"github.com/duplexio/duplex/internal/wrap"
)

// Values of other types than the common ones argEncoder.value knows are
// written by encoding/json, unless their type can hold a []byte (an
// attachment) or an interface (which may hold one): those are walked here,
// writing what encoding/json would write (the same keys, in the same order,
// the same omissions) except that every []byte becomes a placeholder and an
// attachment, and the values found in interfaces are written as
// argEncoder.value writes them. Parts that hold neither, and values encoding/json
// hands to a MarshalJSON or MarshalText method, still go through encoding/json.

// Functions, not variables set by the package's initialisation: a program
// that encodes no values with reflection (the browser client) then links
// neither the calls nor the types.
func marshalerType() reflect.Type     { return reflect.TypeFor[json.Marshaler]() }
func textMarshalerType() reflect.Type { return reflect.TypeFor[encoding.TextMarshaler]() }
func rawAttachType() reflect.Type     { return reflect.TypeFor[RawWithAttachments]() }

// errTooDeep refuses a value nested deeper than encoding/json's limit (which
// the reference's decoder cannot read either): a cyclic value is an error
// rather than a stack overflow.
var errTooDeep = wrap.New(ErrUnsupportedValue.Error()+": nested more than "+strconv.Itoa(maxDepth)+" deep (a cycle?)", ErrUnsupportedValue)

var binaryTypes sync.Map // reflect.Type -> bool

// mayHoldBinary reports whether a value of type t, encoded, can contain a
// []byte or an interface.
func mayHoldBinary(t reflect.Type) bool {
	if b, ok := binaryTypes.Load(t); ok {
		return b.(bool)
	}
	b := holdsBinary(t, map[reflect.Type]bool{})
	binaryTypes.Store(t, b)
	return b
}

// holdsBinary is mayHoldBinary, seen holding the types already explored (a
// recursive type is explored once; the answer for the type first asked is
// exact).
func holdsBinary(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if t == rawAttachType() {
		return true
	}
	if t.Implements(marshalerType()) || t.Implements(textMarshalerType()) {
		return false // encoding/json calls the method: nothing inside is seen
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Slice:
		return isByteSlice(t) || holdsBinary(t.Elem(), seen)
	case reflect.Array, reflect.Pointer, reflect.Map:
		return holdsBinary(t.Elem(), seen)
	case reflect.Struct:
		for _, f := range structFields(t) {
			if holdsBinary(f.typ, seen) {
				return true
			}
		}
	}
	return false
}

// isByteSlice reports whether encoding/json writes a value of slice type t as
// a base64 string: these are the attachments.
func isByteSlice(t reflect.Type) bool {
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(t.Elem())
	return !p.Implements(marshalerType()) && !p.Implements(textMarshalerType())
}

// other writes a value of a type argEncoder.value has no case for.
func (e *argEncoder) other(v any) error {
	if !mayHoldBinary(reflect.TypeOf(v)) {
		return e.std(v)
	}
	return e.reflectValue(reflect.ValueOf(v))
}

func (e *argEncoder) reflectValue(v reflect.Value) error {
	t := v.Type()
	if t == rawAttachType() {
		return e.rawWithAttachments(v.Interface().(RawWithAttachments))
	}
	if !mayHoldBinary(t) {
		return e.stdValue(v)
	}
	if v.CanAddr() && (reflect.PointerTo(t).Implements(marshalerType()) || reflect.PointerTo(t).Implements(textMarshalerType())) {
		return e.std(v.Addr().Interface()) // encoding/json calls the pointer method of an addressable value
	}
	if e.depth++; e.depth > maxDepth {
		return errTooDeep
	}
	defer func() { e.depth-- }()
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if x := v.Elem(); x.CanInterface() {
			return e.value(x.Interface())
		}
		return e.reflectValue(v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.reflectValue(v.Elem())
	case reflect.Slice:
		if isByteSlice(t) {
			e.attach(v.Bytes())
			return nil
		}
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.elems(v)
	case reflect.Array:
		return e.elems(v)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Struct:
		return e.structValue(v)
	}
	return e.stdValue(v) // (not reached: other kinds hold no binary)
}

// stdValue writes v with encoding/json. An addressable v goes by pointer, so
// that its pointer methods are used as encoding/json would use them.
func (e *argEncoder) stdValue(v reflect.Value) error {
	switch {
	case v.CanAddr() && v.Addr().CanInterface():
		return e.std(v.Addr().Interface())
	case v.CanInterface():
		return e.std(v.Interface())
	case v.Kind() == reflect.Struct:
		// An embedded struct of an unexported type, named by a json tag:
		// encoding/json writes its exported fields.
		return e.structValue(v)
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.stdValue(v.Elem())
	}
	return wrap.New(ErrUnsupportedValue.Error()+": unexported "+v.Type().String(), ErrUnsupportedValue)
}

func (e *argEncoder) attach(b []byte) {
	e.buf = append(e.buf, `{"_placeholder":true,"num":`...)
	e.buf = strconv.AppendInt(e.buf, int64(len(e.attachments)), 10)
	e.buf = append(e.buf, '}')
	if b == nil {
		b = []byte{}
	}
	e.attachments = append(e.attachments, b)
}

func (e *argEncoder) elems(v reflect.Value) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.reflectValue(v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *argEncoder) mapValue(v reflect.Value) error { return e.mapWith(v, appendString) }

// mapWith writes the map v with its keys written by appendKey.
func (e *argEncoder) mapWith(v reflect.Value, appendKey func([]byte, string) []byte) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	entries := make([]mapEntry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, err := keyName(it.Key())
		if err != nil {
			return err
		}
		entries = append(entries, mapEntry{k, it.Value()})
	}
	sortEntries(entries)
	e.buf = append(e.buf, '{')
	for i, en := range entries {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendKey(e.buf, en.key)
		e.buf = append(e.buf, ':')
		if err := e.reflectValue(en.val); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// keyName is the JSON key encoding/json writes for map key k.
func keyName(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if k.Type().Implements(textMarshalerType()) {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := k.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return "", wrap.New(ErrUnsupportedValue.Error()+": map key: "+err.Error(), ErrUnsupportedValue)
		}
		return string(b), nil
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", wrap.New(ErrUnsupportedValue.Error()+": map key type "+k.Type().String(), ErrUnsupportedValue)
}

func (e *argEncoder) structValue(v reflect.Value) error {
	e.buf = append(e.buf, '{')
	first := true
	for _, f := range structFields(v.Type()) {
		fv, ok := fieldValue(v, f.index)
		if !ok || (f.omitEmpty && isEmptyValue(fv)) || (f.omitZero && isZeroValue(fv)) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		// A valid name needs no escaping; encoding/json writes it as it is.
		e.buf = append(e.buf, '"')
		e.buf = append(e.buf, f.name...)
		e.buf = append(e.buf, '"', ':')
		var err error
		if f.quoted {
			err = e.quotedValue(fv)
		} else {
			err = e.reflectValue(fv)
		}
		if err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// quotedValue writes a scalar field with the string option: its JSON inside
// a JSON string (a nil pointer is null).
func (e *argEncoder) quotedValue(v reflect.Value) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		v = v.Elem()
	}
	start := len(e.buf)
	if err := e.stdValue(v); err != nil {
		return err
	}
	inner := string(e.buf[start:])
	e.buf = appendString(e.buf[:start], inner)
	return nil
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

type isZeroer interface{ IsZero() bool }

func isZeroerType() reflect.Type { return reflect.TypeFor[isZeroer]() }

// isZeroValue is encoding/json's omitzero test: the value's IsZero method
// when it has one, else the zero value of its type.
func isZeroValue(v reflect.Value) bool {
	t := v.Type()
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType()):
		return v.IsNil() || (v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) || v.Interface().(isZeroer).IsZero()
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType()):
		return v.IsNil() || v.Interface().(isZeroer).IsZero()
	case t.Implements(isZeroerType()):
		return v.Interface().(isZeroer).IsZero()
	case reflect.PointerTo(t).Implements(isZeroerType()):
		if !v.CanAddr() {
			c := reflect.New(t).Elem()
			c.Set(v)
			v = c
		}
		return v.Addr().Interface().(isZeroer).IsZero()
	}
	return v.IsZero()
}
