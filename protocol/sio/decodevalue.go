package sio

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
)

// Args.Decode lets encoding/json decode an argument whose placeholders were
// replaced by their attachments' base64 strings: every []byte inside the
// target gets its attachment. What went into an interface is a string there;
// setAttachments then walks the target along the same JSON value decoded into
// any (attachments as []byte), as encoding/json walked it, and stores the
// []byte instead.

// The interfaces' types are functions, not variables set by the package's
// initialisation: a program that decodes no values with reflection (the
// browser client) then links neither the calls nor the types.
func unmarshalerType() reflect.Type     { return reflect.TypeFor[json.Unmarshaler]() }
func textUnmarshalerType() reflect.Type { return reflect.TypeFor[encoding.TextUnmarshaler]() }

var anyTypes sync.Map // reflect.Type -> bool

// mayHoldAny reports whether decoding into a value of type t can store a
// value into an interface.
func mayHoldAny(t reflect.Type) bool {
	if b, ok := anyTypes.Load(t); ok {
		return b.(bool)
	}
	b := holdsAny(t, map[reflect.Type]bool{})
	anyTypes.Store(t, b)
	return b
}

func holdsAny(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer:
		return holdsAny(t.Elem(), seen)
	}
	if decodesItself(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return holdsAny(t.Elem(), seen)
	case reflect.Struct:
		for _, f := range structFields(t) {
			if holdsAny(f.typ, seen) {
				return true
			}
		}
	}
	return false
}

// decodesItself reports whether encoding/json hands a JSON value to a method
// of a value of type t (UnmarshalJSON, or UnmarshalText, which refuses
// objects and arrays): nothing inside it is walked.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(unmarshalerType()) || p.Implements(textUnmarshalerType())
}

// setAttachments stores into the interfaces of v (decoded from the same
// JSON) the values of x that hold attachments, as []byte.
func setAttachments(v reflect.Value, x any) {
	for {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			v = v.Elem()
			continue
		case reflect.Interface:
			switch x.(type) {
			case []byte, map[string]any, []any:
			default:
				return // a scalar: as encoding/json stored it
			}
			// encoding/json decodes into what a non-nil pointer in an
			// interface points to, and replaces anything else by the
			// value decoded into any: x.
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				v = e
				continue
			}
			if v.NumMethod() == 0 && v.CanSet() {
				v.Set(reflect.ValueOf(x))
			}
			return
		}
		break
	}
	if !mayHoldAny(v.Type()) {
		return
	}
	switch x := x.(type) {
	case map[string]any:
		switch v.Kind() {
		case reflect.Struct:
			fields := structFields(v.Type())
			for k, xv := range x {
				f := fieldByName(fields, k)
				if f == nil || !mayHoldAny(f.typ) {
					continue
				}
				if fv, ok := fieldValue(v, f.index); ok {
					setAttachments(fv, xv)
				}
			}
		case reflect.Map:
			if v.IsNil() || !mayHoldAny(v.Type().Elem()) {
				return
			}
			et := v.Type().Elem()
			for k, xv := range x {
				kv, ok := mapKey(v.Type().Key(), k)
				if !ok {
					continue
				}
				ev := v.MapIndex(kv)
				if !ev.IsValid() {
					continue
				}
				// Map values cannot be set in place: a copy is fixed and stored.
				c := reflect.New(et).Elem()
				c.Set(ev)
				setAttachments(c, xv)
				v.SetMapIndex(kv, c)
			}
		}
	case []any:
		if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
			for i := range min(v.Len(), len(x)) {
				setAttachments(v.Index(i), x[i])
			}
		}
	}
}

// mapKey converts JSON key k to a map key of type kt as encoding/json does.
func mapKey(kt reflect.Type, k string) (reflect.Value, bool) {
	if reflect.PointerTo(kt).Implements(textUnmarshalerType()) {
		kv := reflect.New(kt)
		if err := kv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(k)); err != nil {
			return reflect.Value{}, false
		}
		return kv.Elem(), true
	}
	kv := reflect.New(kt).Elem()
	switch kt.Kind() {
	case reflect.String:
		kv.SetString(k)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(k, 10, 64)
		if err != nil || kt.OverflowInt(n) {
			return reflect.Value{}, false
		}
		kv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(k, 10, 64)
		if err != nil || kt.OverflowUint(n) {
			return reflect.Value{}, false
		}
		kv.SetUint(n)
	default:
		return reflect.Value{}, false
	}
	return kv, true
}
