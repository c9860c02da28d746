package sio

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
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
	if IsReserved(name) {
		return nil, nil, wrap.New(ErrReservedEvent.Error()+": "+strconv.Quote(name), ErrReservedEvent)
	}
	e := argEncoder{buf: dst}
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
	e := argEncoder{buf: dst}
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
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if e.depth++; e.depth > maxDepth {
			return errTooDeep
		}
		defer func() { e.depth-- }()
		e.buf = append(e.buf, '[')
		for i, x := range v {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case map[string]any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if e.depth++; e.depth > maxDepth {
			return errTooDeep
		}
		defer func() { e.depth-- }()
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ':')
			if err := e.value(v[k]); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	default:
		return e.other(v)
	}
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
	if bits == 32 {
		return e.std(float32(f))
	}
	return e.std(f)
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
