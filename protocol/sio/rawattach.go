package sio

import (
	"strconv"

	"github.com/duplexio/duplex/internal/wrap"
)

// RawWithAttachments is an argument given as JSON text whose attachment
// placeholders ({"_placeholder":true,"num":i}) refer to Attachments[i]: an
// argument with binary that is already encoded, such as one built by
// JavaScript (the browser glue) or relayed from a received packet. Unlike a
// map[string]any, its JSON is copied to the wire as it is, keys in their
// order; only the placeholders' nums change, to count from the attachments
// of the arguments before it (each placeholder sends its attachment, in text
// order, as the reference does). The JSON must be valid and every
// placeholder must refer to one of Attachments, otherwise encoding fails with
// ErrUnsupportedValue.
type RawWithAttachments struct {
	JSON        []byte
	Attachments [][]byte
}

func (e *argEncoder) rawWithAttachments(v RawWithAttachments) error {
	if !validJSON(v.JSON) {
		return wrap.With(ErrUnsupportedValue, "RawWithAttachments holds invalid JSON")
	}
	refs, err := findPlaceholders(v.JSON, len(v.Attachments))
	if err != nil {
		return wrap.New(ErrUnsupportedValue.Error()+": RawWithAttachments: "+err.Error(), ErrUnsupportedValue)
	}
	last := 0
	for _, r := range refs {
		e.buf = append(e.buf, v.JSON[last:r.start]...)
		e.buf = strconv.AppendInt(e.buf, int64(len(e.attachments)), 10)
		last = r.end
		b := v.Attachments[r.num]
		if b == nil {
			b = []byte{}
		}
		e.attachments = append(e.attachments, b)
	}
	e.buf = append(e.buf, v.JSON[last:]...)
	return nil
}
