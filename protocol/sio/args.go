package sio

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/duplexio/duplex/internal/jsonread"
	"github.com/duplexio/duplex/internal/wrap"
)

// Args is the argument list of a received event or ack: raw JSON values, and the
// attachments their placeholders refer to. Nothing is decoded until asked.
type Args struct {
	raw         []json.RawMessage
	attachments [][]byte
}

// ParseEvent splits the payload of a decoded EVENT or BINARY_EVENT packet into
// the event name and its arguments. A numeric name is returned as JavaScript's
// String() writes the number (1.0 -> "1"), which is the name the reference
// dispatches it under.
func ParseEvent(p *Packet) (string, Args, error) {
	raw, args, err := SplitEvent(p, make([]json.RawMessage, 0, 4))
	if err != nil {
		return "", Args{}, err
	}
	name, ok := EventName(raw)
	if !ok {
		return "", Args{}, wrap.With(ErrInvalidPacket, "event name must be a string or a number")
	}
	return name, args, nil
}

// SplitEvent is ParseEvent for a hot path: the payload's values are appended
// to buf[:0] (no allocation when they fit in its capacity; the Args then
// share buf's array) and the name is returned as it arrived, a JSON string or
// number, for EventNameIs to compare and EventName to convert.
func SplitEvent(p *Packet, buf []json.RawMessage) (name json.RawMessage, args Args, err error) {
	elems, ok := splitArray(buf[:0], p.Data)
	if !ok {
		return nil, Args{}, wrap.With(ErrInvalidPacket, "EVENT payload must be an array")
	}
	if len(elems) == 0 {
		return nil, Args{}, wrap.With(ErrInvalidPacket, "EVENT without a name")
	}
	if c := elems[0][0]; c != '"' && c != '-' && !isDigit(c) {
		return nil, Args{}, wrap.With(ErrInvalidPacket, "event name must be a string or a number")
	}
	return elems[0], Args{raw: elems[1:], attachments: p.Attachments}, nil
}

// EventName returns the name an event's raw name value (from SplitEvent)
// stands for, as ParseEvent returns it; ok is false if raw is neither a JSON
// string nor a number.
func EventName(raw json.RawMessage) (name string, ok bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		return unquote(raw)
	case c == '-' || isDigit(c):
		return jsNumberString(raw)
	}
	return "", false
}

// EventNameIs reports whether the raw name value raw (from SplitEvent) stands
// for name, without allocating when raw is a string without escapes (a number,
// or a string with escapes or invalid UTF-8, is converted first).
func EventNameIs(raw json.RawMessage, name string) bool {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && plainText(raw[1:n-1]) {
		return string(raw[1:n-1]) == name
	}
	got, ok := EventName(raw)
	return ok && got == name
}

// plainText reports whether the text of a JSON string is s itself: valid
// UTF-8 without escapes, quotes or control characters.
func plainText(s []byte) bool {
	ascii := true
	for _, c := range s {
		if c < 0x20 || c == '\\' || c == '"' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return ascii || utf8.Valid(s)
}

// ParseArgs returns the arguments carried by the payload of an ACK or
// BINARY_ACK packet. A payload that is not an array gives no arguments.
func ParseArgs(p *Packet) Args {
	raw, ok := splitArray(nil, p.Data)
	if !ok {
		raw = nil
	}
	return Args{raw: raw, attachments: p.Attachments}
}

// RawArgs returns Args over already-split JSON values, with no attachments.
func RawArgs(raw ...json.RawMessage) Args { return Args{raw: raw} }

// Len returns the number of arguments.
func (a Args) Len() int { return len(a.raw) }

// Raw returns argument i as it arrived, placeholders included; nil if out of range.
func (a Args) Raw(i int) json.RawMessage {
	if i < 0 || i >= len(a.raw) {
		return nil
	}
	return a.raw[i]
}

// All returns the raw arguments; the slice must not be modified.
func (a Args) All() []json.RawMessage { return a.raw }

// Attachments returns the binary attachments the arguments refer to.
func (a Args) Attachments() [][]byte { return a.attachments }

// Slice returns the arguments from i on (an empty Args if i is past the end).
func (a Args) Slice(i int) Args {
	if i >= len(a.raw) {
		return Args{attachments: a.attachments}
	}
	return Args{raw: a.raw[max(i, 0):], attachments: a.attachments}
}

// Decode decodes argument i into v, as json.Unmarshal does. When the packet had
// attachments, each placeholder decodes as the attachment's bytes, at any
// depth: into a []byte (a *[]byte target, or a []byte field, element or map
// value anywhere inside v, as encoding/json decodes a base64 string there),
// and as a []byte into an interface (a *any target, or an any field, element
// or map value anywhere inside v: a map[string]any, a []any, a struct{X
// any}...). A placeholder whose num is not one of the attachments is an
// ErrInvalidPacket.
func (a Args) Decode(i int, v any) error {
	if i < 0 || i >= len(a.raw) {
		return errors.New("sio: argument " + strconv.Itoa(i) + " out of range (" + strconv.Itoa(len(a.raw)) + " arguments)")
	}
	raw := a.raw[i]
	switch t := v.(type) {
	case *json.RawMessage:
		*t = raw
		return nil
	case *string:
		if s, ok := unquote(raw); ok {
			*t = s
			return nil
		}
	case *int:
		if n, ok := intNumber(raw, strconv.IntSize); ok {
			*t = int(n)
			return nil
		}
	case *int64:
		if n, ok := intNumber(raw, 64); ok {
			*t = n
			return nil
		}
	case *float64:
		if jsonNumber(raw) {
			if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
				*t = f
				return nil
			}
		}
	case *any:
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		if len(a.attachments) > 0 {
			var err error
			if x, err = a.replace(x); err != nil {
				return err
			}
		}
		*t = x
		return nil
	}
	if len(a.attachments) == 0 {
		return json.Unmarshal(raw, v)
	}
	refs, err := findPlaceholders(raw, len(a.attachments))
	if err == errMalformed {
		return json.Unmarshal(raw, v) // its own syntax error
	}
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return json.Unmarshal(raw, v)
	}
	if t, ok := v.(*[]byte); ok && len(refs) == 1 && refs[0].objStart == 0 && refs[0].objEnd == len(raw) {
		*t = a.attachments[refs[0].num]
		return nil
	}
	// Each placeholder becomes its attachment's base64 string, which
	// encoding/json decodes into a []byte wherever there is one...
	if err := json.Unmarshal(a.splice(raw, refs), v); err != nil {
		return err
	}
	// ...and what went into an interface is replaced by the []byte.
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !mayHoldAny(rv.Type().Elem()) {
		return nil
	}
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return err
	}
	if x, err = a.replace(x); err != nil {
		return err
	}
	setAttachments(rv.Elem(), x)
	return nil
}

// intNumber returns the JSON number raw as an integer of bits bits, when
// json.Unmarshal would store it into one without error (an integer literal in range):
// a handler's integer argument is then read without encoding/json's
// reflection. Anything else (null, 1.5, 1e3, out of range, invalid) is
// left to json.Unmarshal, which gives its own result or error.
func intNumber(raw []byte, bits int) (int64, bool) {
	if !jsonNumber(raw) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, bits)
	return n, err == nil
}

// jsonNumber reports whether raw is exactly one JSON number literal (no
// spaces): what strconv may parse as json.Unmarshal does.
func jsonNumber(raw []byte) bool {
	if len(raw) == 0 || (raw[0] != '-' && !isDigit(raw[0])) {
		return false
	}
	end, ok := jsonread.ValidElem(raw, 0)
	return ok && end == len(raw)
}

// splice returns raw with each placeholder (at refs) replaced by its
// attachment as a base64 string.
func (a Args) splice(raw []byte, refs []placeholderRef) []byte {
	n := len(raw)
	for _, r := range refs {
		n += base64.StdEncoding.EncodedLen(len(a.attachments[r.num])) + 2 - (r.objEnd - r.objStart)
	}
	out := make([]byte, 0, n)
	last := 0
	for _, r := range refs {
		out = append(out, raw[last:r.objStart]...)
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, a.attachments[r.num])
		out = append(out, '"')
		last = r.objEnd
	}
	return append(out, raw[last:]...)
}

// Values decodes every argument into Go values (as json.Unmarshal into any),
// with attachments as []byte. As with json.Unmarshal, a number beyond the
// range of float64 (such as 1e400, which JavaScript reads as Infinity) is an
// error.
func (a Args) Values() ([]any, error) {
	out := make([]any, len(a.raw))
	for i := range a.raw {
		if err := a.Decode(i, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// replace substitutes attachments, as []byte, for the placeholders in x, as
// the reference's reconstructPacket does.
func (a Args) replace(x any) (any, error) {
	switch v := x.(type) {
	case map[string]any:
		if isPlaceholder(v) {
			n, ok := v["num"].(float64)
			if !ok || n < 0 || n >= float64(len(a.attachments)) || n != math.Trunc(n) {
				return nil, errIllegalPlaceholder(numText(v["num"]), len(a.attachments))
			}
			return a.attachments[int(n)], nil
		}
		for k, e := range v {
			r, err := a.replace(e)
			if err != nil {
				return nil, err
			}
			v[k] = r
		}
	case []any:
		for i, e := range v {
			r, err := a.replace(e)
			if err != nil {
				return nil, err
			}
			v[i] = r
		}
	}
	return x, nil
}

// isPlaceholder reports whether m stands for an attachment: like the
// reference, any object whose "_placeholder" is true (its num is checked when
// it is replaced).
func isPlaceholder(m map[string]any) bool {
	p, _ := m["_placeholder"].(bool)
	return p
}
