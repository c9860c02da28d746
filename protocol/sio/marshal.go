package sio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Binary values are []byte anywhere in an argument list, at the top level or
// inside []any and map[string]any. They become attachments, replaced in the JSON
// by placeholders, as the reference does for Buffers and ArrayBuffers. A
// json.RawMessage argument is copied verbatim, which is how a relay stays
// byte-identical. Other values go through encoding/json, without HTML escaping.

type argEncoder struct {
	buf         []byte
	attachments [][]byte
}

// MarshalEvent returns the payload of an EVENT named name with args, and the
// attachments it needs. A non-nil attachment list means the packet must be sent
// as a BINARY_EVENT; NewEvent does that.
func MarshalEvent(name string, args ...any) (json.RawMessage, [][]byte, error) {
	if IsReserved(name) {
		return nil, nil, fmt.Errorf("%w: %q", ErrReservedEvent, name)
	}
	e := argEncoder{buf: make([]byte, 0, 64)}
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
	e := argEncoder{buf: make([]byte, 0, 32)}
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
	case []byte:
		e.buf = append(e.buf, `{"_placeholder":true,"num":`...)
		e.buf = strconv.AppendInt(e.buf, int64(len(e.attachments)), 10)
		e.buf = append(e.buf, '}')
		if v == nil {
			v = []byte{}
		}
		e.attachments = append(e.attachments, v)
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
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// JSON.stringify writes null for these.
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.std(v)
	case []any:
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
		return e.std(v)
	}
	return nil
}

// std encodes v with encoding/json, without HTML escaping.
func (e *argEncoder) std(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrUnsupportedValue, err)
	}
	e.buf = append(e.buf, bytes.TrimRight(b.Bytes(), "\n")...)
	return nil
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string, escaping what JSON requires and
// nothing more (no HTML escaping), with invalid UTF-8 replaced by U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
