package eio

import (
	"bytes"
	"strconv"

	"github.com/duplexio/duplex/internal/wrap"
)

// Separator is the record separator between packets of a polling payload.
const Separator = 0x1e

// AppendPayload appends the polling payload form of pkts to dst: their text forms
// joined by Separator.
func AppendPayload(dst []byte, pkts ...Packet) []byte {
	for i, p := range pkts {
		if i > 0 {
			dst = append(dst, Separator)
		}
		dst = p.AppendText(dst)
	}
	return dst
}

// PayloadLen returns the length of the polling payload form of pkts.
func PayloadLen(pkts ...Packet) int {
	n := 0
	for i, p := range pkts {
		if i > 0 {
			n++
		}
		n += p.TextLen()
	}
	return n
}

// DecodePayload decodes a polling payload into packets, calling fn for each in
// order and stopping at the first error fn returns. Text packets alias body.
// A payload longer than maxLen bytes is refused with ErrPayloadTooLarge before
// anything is decoded (maxLen <= 0 means no limit); an empty payload or record
// is an ErrInvalidPacket.
func DecodePayload(body []byte, maxLen int, fn func(Packet) error) error {
	if maxLen > 0 && len(body) > maxLen {
		return wrap.New(ErrPayloadTooLarge.Error()+": "+strconv.Itoa(len(body))+" bytes, limit "+strconv.Itoa(maxLen), ErrPayloadTooLarge)
	}
	if len(body) == 0 {
		return wrap.With(ErrInvalidPacket, "empty payload")
	}
	for {
		rec, rest, more := bytes.Cut(body, []byte{Separator})
		p, err := DecodeText(rec)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		if !more {
			return nil
		}
		body = rest
	}
}
