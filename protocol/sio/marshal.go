package sio

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/internal/jsonstr"
)

// Binary values are []byte anywhere in an argument list: at the top level, in
// []any and map[string]any, and in structs, maps, slices, arrays and pointers
// (a type whose elements are bytes and that encoding/json writes as a base64
// string). They become attachments, replaced in the JSON by placeholders, as
// the reference does for Buffers and ArrayBuffers wherever they are (a nil
// []byte is an empty attachment). A json.RawMessage argument is copied
// verbatim, which is how a relay stays byte-identical; so is the JSON of a
// RawWithAttachments, whose placeholders are renumbered. Strings are written
// as JSON.stringify writes them. Other values are written as encoding/json
// writes them, without HTML escaping (struct tags, omitempty, MarshalJSON
// methods...): a value whose type can hold a []byte or an interface is walked
// field by field to find the attachments (see marshalvalue.go), the rest goes
// through encoding/json itself. Nil slices and maps are null. NaN and
// infinities are null and -0 is 0, as JSON.stringify writes them (in a
// struct field of a float type they are an error, as with encoding/json).
// Integers beyond ±2^53 are written exactly, but a JavaScript peer reads them
// rounded.

type argEncoder struct {
	buf         []byte
	attachments [][]byte
	depth       int  // nesting of the containers being written
	nativeTest  bool // tests: std writes as in the browser build (argEncoder.native)
	// reflective writes what value has no case for, with reflection:
	// argEncoder.other. It is a field, nil in AppendRawArgs, so that a
	// program that only encodes raw arguments does not link the
	// reflection-based encoder (~35 KB brotli of client.wasm).
	// It takes and returns the encoder by value: a pointer given to a
	// func value would move every encoder to the heap.
	reflective func(e argEncoder, v any) (argEncoder, error)
	// encodeStd is argEncoder.std (floats), nil in AppendRawArgs likewise.
	encodeStd func(e argEncoder, v any) (argEncoder, error)
}

// newArgEncoder returns the encoder of AppendArgs, which writes any value.
func newArgEncoder(dst []byte) argEncoder {
	return argEncoder{buf: dst, reflective: encodeOther, encodeStd: encodeStd}
}

func encodeOther(e argEncoder, v any) (argEncoder, error) {
	err := e.other(v)
	return e, err
}

func encodeStd(e argEncoder, v any) (argEncoder, error) {
	err := e.std(v)
	return e, err
}

// MarshalEvent returns the payload of an EVENT named name with args, and the
// attachments it needs. A non-nil attachment list means the packet must be sent
// as a BINARY_EVENT; NewEvent does that.
func MarshalEvent(name string, args ...any) (json.RawMessage, [][]byte, error) {
	return AppendEvent(make([]byte, 0, 64), name, args...)
}

// AppendEvent is MarshalEvent appending the payload to dst, as AppendArgs
// does. On error the returned slice is nil.
func AppendEvent(dst []byte, name string, args ...any) ([]byte, [][]byte, error) {
	return appendEvent(newArgEncoder(dst), name, args)
}

// AppendRawEvent is AppendEvent with AppendRawArgs's encoding: it takes the
// values AppendRawArgs takes and does not link the reflection-based encoder.
func AppendRawEvent(dst []byte, name string, args ...any) ([]byte, [][]byte, error) {
	return appendEvent(argEncoder{buf: dst}, name, args)
}

func appendEvent(e argEncoder, name string, args []any) ([]byte, [][]byte, error) {
	if IsReserved(name) {
		return nil, nil, wrap.New(ErrReservedEvent.Error()+": "+strconv.Quote(name), ErrReservedEvent)
	}
	e.buf = append(e.buf, '[')
	e.buf = appendString(e.buf, name)
	for _, a := range args {
		e.buf = append(e.buf, ',')
		if err := e.value(a); err != nil {
			return nil, nil, err
		}
	}
	e.buf = append(e.buf, ']')
	return e.buf, e.attachments, nil
}

// MarshalArgs returns the JSON array of args (the payload of an ACK) and the
// attachments it needs.
func MarshalArgs(args ...any) (json.RawMessage, [][]byte, error) {
	return AppendArgs(make([]byte, 0, 32), args...)
}

// AppendArgs is MarshalArgs appending the JSON array to dst: a packet's header
// and payload can be written into one buffer (see Packet.AppendText). On error
// the returned slice is nil.
func AppendArgs(dst []byte, args ...any) ([]byte, [][]byte, error) {
	return appendArgs(newArgEncoder(dst), args)
}

// AppendRawArgs is AppendArgs for arguments that are already JSON, or plain
// values that need no reflection to encode: nil, string, bool, int, int32,
// int64, uint64, float32, float64, []byte, json.RawMessage,
// RawWithAttachments, and []any and map[string]any of those. It writes them
// as AppendArgs does and fails with ErrUnsupportedValue on any other type. A
// program that encodes with AppendRawArgs only (the browser client,
// client.NewRawManager) does not link the reflection-based encoder.
func AppendRawArgs(dst []byte, args ...any) ([]byte, [][]byte, error) {
	return appendArgs(argEncoder{buf: dst}, args)
}

func appendArgs(e argEncoder, args []any) ([]byte, [][]byte, error) {
	e.buf = append(e.buf, '[')
	for i, a := range args {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(a); err != nil {
			return nil, nil, err
		}
	}
	e.buf = append(e.buf, ']')
	return e.buf, e.attachments, nil
}

// NewEvent returns the EVENT (or BINARY_EVENT) packet for name and args in
// namespace nsp.
func NewEvent(nsp, name string, args ...any) (Packet, error) {
	data, att, err := MarshalEvent(name, args...)
	if err != nil {
		return Packet{}, err
	}
	p := Packet{Type: Event, Namespace: nsp, Data: data, Attachments: att}
	if att != nil {
		p.Type = BinaryEvent
	}
	return p, nil
}

// NewAck returns the ACK (or BINARY_ACK) packet answering ack id id with args.
func NewAck(nsp string, id uint64, args ...any) (Packet, error) {
	data, att, err := MarshalArgs(args...)
	if err != nil {
		return Packet{}, err
	}
	p := Packet{Type: Ack, Namespace: nsp, ID: id, HasID: true, Data: data, Attachments: att}
	if att != nil {
		p.Type = BinaryAck
	}
	return p, nil
}

func (e *argEncoder) value(v any) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendString(e.buf, v)
	case json.RawMessage:
		if len(v) == 0 {
			e.buf = append(e.buf, "null"...)
		} else {
			e.buf = append(e.buf, v...)
		}
	case RawWithAttachments:
		return e.rawWithAttachments(v)
	case []byte:
		e.attach(v)
	case bool:
		e.buf = strconv.AppendBool(e.buf, v)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, v, 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, v, 10)
	case float64:
		return e.float(v, 64)
	case float32:
		return e.float(float64(v), 32)
	case []any:
		return e.array(v)
	case map[string]any:
		return e.object(v)
	default:
		if e.reflective == nil {
			return wrap.With(ErrUnsupportedValue, "raw arguments cannot hold a "+reflect.TypeOf(v).String())
		}
		var err error
		*e, err = e.reflective(*e, v)
		return err
	}
	return nil
}

// array appends v, a []any, for value.
func (e *argEncoder) array(v []any) error {
	if v == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if e.depth++; e.depth > maxDepth {
		e.depth--
		return errTooDeep
	}
	e.buf = append(e.buf, '[')
	for i, x := range v {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(x); err != nil {
			e.depth--
			return err
		}
	}
	e.buf = append(e.buf, ']')
	e.depth--
	return nil
}

// object appends v, a map[string]any, for value: keys sorted, as
// encoding/json writes them.
func (e *argEncoder) object(v map[string]any) error {
	if v == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if e.depth++; e.depth > maxDepth {
		e.depth--
		return errTooDeep
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sortStrings(keys)
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, ':')
		if err := e.value(v[k]); err != nil {
			e.depth--
			return err
		}
	}
	e.buf = append(e.buf, '}')
	e.depth--
	return nil
}

// float appends f as encoding/json does (which is JavaScript's number format),
// except that NaN and infinities, which JSON cannot hold, become null and -0
// becomes 0, as with JSON.stringify.
func (e *argEncoder) float(f float64, bits int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if f == 0 {
		// Also -0, which JSON.stringify writes as 0 and encoding/json as -0.
		e.buf = append(e.buf, '0')
		return nil
	}
	if e.reflective == nil { // AppendRawArgs: the float encoder the others use, without reflection
		return e.stdFloat(f, bits)
	}
	var v any = f
	if bits == 32 {
		v = float32(f)
	}
	var err error
	*e, err = e.encodeStd(*e, v)
	return err
}

// std encodes v with encoding/json, without HTML escaping, straight into the
// buffer. The writer is a copy of the buffer's header, so that only this path
// pays for what escapes to encoding/json, and the encoder itself stays on the
// stack.
func (e *argEncoder) std(v any) error {
	if nativeStd || e.nativeTest {
		return e.native(reflect.ValueOf(v))
	}
	w := &sliceWriter{b: e.buf}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return wrap.New(ErrUnsupportedValue.Error()+": "+err.Error(), ErrUnsupportedValue)
	}
	e.buf = w.b[:len(w.b)-1] // without the newline Encode adds
	return nil
}

// sliceWriter lets encoding/json append to a byte slice.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// appendString appends s as JSON.stringify writes it.
func appendString(dst []byte, s string) []byte { return jsonstr.Append(dst, s) }
