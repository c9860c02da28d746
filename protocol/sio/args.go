package sio

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// Args is the argument list of a received event or ack: raw JSON values, and the
// attachments their placeholders refer to. Nothing is decoded until asked.
type Args struct {
	raw         []json.RawMessage
	attachments [][]byte
}

// ParseEvent splits the payload of a decoded EVENT or BINARY_EVENT packet into
// the event name and its arguments. A numeric name is returned as its JSON text.
func ParseEvent(p *Packet) (string, Args, error) {
	elems := splitArray(make([]json.RawMessage, 0, 4), p.Data)
	if len(elems) == 0 {
		return "", Args{}, fmt.Errorf("%w: EVENT without a name", ErrInvalidPacket)
	}
	name := string(elems[0])
	if elems[0][0] == '"' {
		if err := json.Unmarshal(elems[0], &name); err != nil {
			return "", Args{}, fmt.Errorf("%w: %v", ErrInvalidPacket, err)
		}
	}
	return name, Args{raw: elems[1:], attachments: p.Attachments}, nil
}

// ParseArgs returns the arguments carried by the payload of an ACK or
// BINARY_ACK packet.
func ParseArgs(p *Packet) Args {
	return Args{raw: splitArray(nil, p.Data), attachments: p.Attachments}
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
	return Args{raw: a.raw[i:], attachments: a.attachments}
}

// Decode decodes argument i into v, as json.Unmarshal does. Attachments decode
// into []byte values: a *[]byte target, a []byte field of a struct, or a []byte
// inside an any.
func (a Args) Decode(i int, v any) error {
	if i < 0 || i >= len(a.raw) {
		return fmt.Errorf("sio: argument %d out of range (%d arguments)", i, len(a.raw))
	}
	raw := a.raw[i]
	switch t := v.(type) {
	case *json.RawMessage:
		*t = raw
		return nil
	case *[]byte:
		if n, ok := placeholderNum(raw); ok {
			if n >= len(a.attachments) {
				return fmt.Errorf("%w: placeholder %d of %d attachments", ErrInvalidPacket, n, len(a.attachments))
			}
			*t = a.attachments[n]
			return nil
		}
	case *any:
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		if len(a.attachments) > 0 {
			var err error
			if x, err = a.replace(x, false); err != nil {
				return err
			}
		}
		*t = x
		return nil
	}
	if len(a.attachments) == 0 {
		return json.Unmarshal(raw, v)
	}
	// Replace placeholders by the base64 strings encoding/json decodes into []byte.
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return err
	}
	x, err := a.replace(x, true)
	if err != nil {
		return err
	}
	b, err := json.Marshal(x)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Values decodes every argument into Go values (as json.Unmarshal into any),
// with attachments as []byte.
func (a Args) Values() ([]any, error) {
	out := make([]any, len(a.raw))
	for i := range a.raw {
		if err := a.Decode(i, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// replace substitutes attachments for the placeholders in x: as []byte, or as
// base64 strings when asBase64 is set.
func (a Args) replace(x any, asBase64 bool) (any, error) {
	switch v := x.(type) {
	case map[string]any:
		if isPlaceholder(v) {
			n, _ := v["num"].(float64)
			if n < 0 || int(n) >= len(a.attachments) || n != float64(int(n)) {
				return nil, fmt.Errorf("%w: illegal attachment placeholder", ErrInvalidPacket)
			}
			b := a.attachments[int(n)]
			if asBase64 {
				return base64.StdEncoding.EncodeToString(b), nil
			}
			return b, nil
		}
		for k, e := range v {
			r, err := a.replace(e, asBase64)
			if err != nil {
				return nil, err
			}
			v[k] = r
		}
	case []any:
		for i, e := range v {
			r, err := a.replace(e, asBase64)
			if err != nil {
				return nil, err
			}
			v[i] = r
		}
	}
	return x, nil
}

func isPlaceholder(m map[string]any) bool {
	p, _ := m["_placeholder"].(bool)
	_, ok := m["num"].(float64)
	return p && ok
}

// placeholderNum reports whether raw is exactly a placeholder object, and its num.
func placeholderNum(raw json.RawMessage) (int, bool) {
	const prefix = `{"_placeholder":true,"num":`
	if len(raw) > len(prefix)+1 && string(raw[:len(prefix)]) == prefix && raw[len(raw)-1] == '}' {
		if n, err := strconv.Atoi(string(raw[len(prefix) : len(raw)-1])); err == nil && n >= 0 {
			return n, true
		}
	}
	var ph struct {
		Placeholder bool `json:"_placeholder"`
		Num         *int `json:"num"`
	}
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &ph) != nil || !ph.Placeholder || ph.Num == nil || *ph.Num < 0 {
		return 0, false
	}
	return *ph.Num, true
}
