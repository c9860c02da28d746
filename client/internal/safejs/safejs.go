//go:build js && wasm

// Package safejs is syscall/js with errors instead of panics: every
// operation that can throw in JavaScript (or panic in syscall/js) returns the
// exception as an error. It has the API of the parts of
// github.com/hack-pad/safejs the client used, without its stack traces and
// fmt (which a panic value that is neither an error nor a JavaScript value
// went through): fmt's printer is ~100 KB of client.wasm.
package safejs

import (
	"errors"
	"reflect"
	"syscall/js"
)

// Value is a JavaScript value.
type Value struct{ v js.Value }

// Type is a JavaScript value's type (js.Type).
type Type int

// The JavaScript types.
const (
	TypeUndefined = Type(js.TypeUndefined)
	TypeNull      = Type(js.TypeNull)
	TypeBoolean   = Type(js.TypeBoolean)
	TypeNumber    = Type(js.TypeNumber)
	TypeString    = Type(js.TypeString)
	TypeSymbol    = Type(js.TypeSymbol)
	TypeObject    = Type(js.TypeObject)
	TypeFunction  = Type(js.TypeFunction)
)

func (t Type) String() string { return js.Type(t).String() }

// Safe wraps a js.Value; Unsafe unwraps it.
func Safe(v js.Value) Value { return Value{v} }

// Unsafe returns the js.Value of v.
func Unsafe(v Value) js.Value { return v.v }

// Global is JavaScript's globalThis.
func Global() Value { return Value{js.Global()} }

// Null is JavaScript's null.
func Null() Value { return Value{js.Null()} }

// Undefined is JavaScript's undefined.
func Undefined() Value { return Value{js.Undefined()} }

// errorOf turns a recovered panic value into an error: an error as it is, a
// thrown JavaScript value as a js.Error, a string as its text.
func errorOf(p any) error {
	switch p := p.(type) {
	case error:
		return p
	case js.Value:
		return js.Error{Value: p}
	case string:
		return errors.New(p)
	default:
		return errors.New("panic: value of type " + reflect.TypeOf(p).String())
	}
}

// catch, deferred, turns a panic into *err (one function rather than a
// generic wrapper per result type: smaller code).
func catch(err *error) {
	if p := recover(); p != nil {
		*err = errorOf(p)
	}
}

// jsArg replaces the Values and Funcs in x (also inside []any and
// map[string]any) by their js.Values.
func jsArg(x any) any {
	switch x := x.(type) {
	case Value:
		return x.v
	case Func:
		return x.fn
	case []any:
		out := make([]any, len(x))
		for i, a := range x {
			out[i] = jsArg(a)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, a := range x {
			out[k] = jsArg(a)
		}
		return out
	default:
		return x
	}
}

func jsArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = jsArg(a)
	}
	return out
}

// ValueOf is js.ValueOf.
func ValueOf(x any) (_ Value, err error) {
	defer catch(&err)
	return Value{js.ValueOf(jsArg(x))}, nil
}

// Bool is js.Value.Bool.
func (v Value) Bool() (_ bool, err error) {
	defer catch(&err)
	return v.v.Bool(), nil
}

// Int is js.Value.Int.
func (v Value) Int() (_ int, err error) {
	defer catch(&err)
	return v.v.Int(), nil
}

// Float is js.Value.Float.
func (v Value) Float() (_ float64, err error) {
	defer catch(&err)
	return v.v.Float(), nil
}

// String is js.Value.String.
func (v Value) String() (_ string, err error) {
	defer catch(&err)
	return v.v.String(), nil
}

// Truthy is js.Value.Truthy.
func (v Value) Truthy() (_ bool, err error) {
	defer catch(&err)
	return v.v.Truthy(), nil
}

// Length is js.Value.Length.
func (v Value) Length() (_ int, err error) {
	defer catch(&err)
	return v.v.Length(), nil
}

// Type is js.Value.Type.
func (v Value) Type() Type { return Type(v.v.Type()) }

// IsUndefined is js.Value.IsUndefined.
func (v Value) IsUndefined() bool { return v.v.IsUndefined() }

// IsNull is js.Value.IsNull.
func (v Value) IsNull() bool { return v.v.IsNull() }

// IsNaN is js.Value.IsNaN.
func (v Value) IsNaN() bool { return v.v.IsNaN() }

// Equal is js.Value.Equal.
func (v Value) Equal(w Value) bool { return v.v.Equal(w.v) }

// Get is js.Value.Get.
func (v Value) Get(p string) (_ Value, err error) {
	defer catch(&err)
	return Value{v.v.Get(p)}, nil
}

// Set is js.Value.Set.
func (v Value) Set(p string, x any) (err error) {
	defer catch(&err)
	v.v.Set(p, jsArg(x))
	return nil
}

// Delete is js.Value.Delete.
func (v Value) Delete(p string) (err error) {
	defer catch(&err)
	v.v.Delete(p)
	return nil
}

// Index is js.Value.Index.
func (v Value) Index(i int) (_ Value, err error) {
	defer catch(&err)
	return Value{v.v.Index(i)}, nil
}

// SetIndex is js.Value.SetIndex.
func (v Value) SetIndex(i int, x any) (err error) {
	defer catch(&err)
	v.v.SetIndex(i, jsArg(x))
	return nil
}

// Call is js.Value.Call.
func (v Value) Call(m string, args ...any) (_ Value, err error) {
	defer catch(&err)
	return Value{v.v.Call(m, jsArgs(args)...)}, nil
}

// Invoke is js.Value.Invoke.
func (v Value) Invoke(args ...any) (_ Value, err error) {
	defer catch(&err)
	return Value{v.v.Invoke(jsArgs(args)...)}, nil
}

// New is js.Value.New.
func (v Value) New(args ...any) (_ Value, err error) {
	defer catch(&err)
	return Value{v.v.New(jsArgs(args)...)}, nil
}

// InstanceOf is js.Value.InstanceOf; t must be a constructor.
func (v Value) InstanceOf(t Value) (_ bool, err error) {
	if t.Type() != TypeFunction {
		return false, errors.New("invalid type for instanceof: " + t.Type().String())
	}
	defer catch(&err)
	return v.v.InstanceOf(t.v), nil
}

// Func is a Go function callable from JavaScript (js.Func).
type Func struct{ fn js.Func }

// FuncOf is js.FuncOf with Values.
func FuncOf(fn func(this Value, args []Value) any) (_ Func, err error) {
	f := func(this js.Value, args []js.Value) any {
		vs := make([]Value, len(args))
		for i, a := range args {
			vs[i] = Value{a}
		}
		return jsArg(fn(Value{this}, vs))
	}
	defer catch(&err)
	return Func{js.FuncOf(f)}, nil
}

// Value is the JavaScript function.
func (f Func) Value() Value { return Value{f.fn.Value} }

// Release is js.Func.Release.
func (f Func) Release() { f.fn.Release() }

// CopyBytesToGo is js.CopyBytesToGo.
func CopyBytesToGo(dst []byte, src Value) (_ int, err error) {
	defer catch(&err)
	return js.CopyBytesToGo(dst, src.v), nil
}

// CopyBytesToJS is js.CopyBytesToJS.
func CopyBytesToJS(dst Value, src []byte) (_ int, err error) {
	defer catch(&err)
	return js.CopyBytesToJS(dst.v, src), nil
}
