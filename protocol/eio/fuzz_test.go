package eio_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
)

// FuzzEIODecodeText: decoding never panics, fails only with ErrInvalidPacket,
// allocates no more than the input's size, and what it decodes re-encodes to
// text that decodes to the same packet.
func FuzzEIODecodeText(f *testing.F) {
	for _, c := range textCases {
		f.Add([]byte(c.wire))
	}
	for _, s := range []string{"", "b", "bA", "bAQIDBA", "b====", "7", "4\x00\xff", "2probe", "b\r\nAQ=="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := eio.DecodeText(b)
		if err != nil {
			if !errors.Is(err, eio.ErrInvalidPacket) {
				t.Fatalf("error %v does not match ErrInvalidPacket", err)
			}
			return
		}
		if len(p.Data) >= len(b) {
			t.Fatalf("%d bytes of data from %d bytes of input", len(p.Data), len(b))
		}
		enc := p.AppendText(nil)
		if len(enc) != p.TextLen() {
			t.Fatalf("TextLen %d, AppendText %d bytes", p.TextLen(), len(enc))
		}
		q, err := eio.DecodeText(enc)
		if err != nil {
			t.Fatalf("re-encoded %q: %v", enc, err)
		}
		if q.Type != p.Type || q.Binary != p.Binary || !bytes.Equal(q.Data, p.Data) {
			t.Fatalf("%q -> %+v -> %q -> %+v", b, p, enc, q)
		}
		if !p.Binary && !bytes.Equal(enc, b) {
			t.Fatalf("text packet %q re-encodes as %q", b, enc)
		}
	})
}

// FuzzEIODecodePayload: decoding a polling payload never panics, honours the
// size limit, and the packets it yields encode back to a payload that decodes
// to the same packets.
func FuzzEIODecodePayload(f *testing.F) {
	for _, c := range payloadCases {
		f.Add([]byte(c.wire), 0)
	}
	f.Add([]byte("4a\x1e\x1e4b"), 0)
	f.Add([]byte("4"+string(bytes.Repeat([]byte("x"), 40))), 10)
	f.Add([]byte("\x1e"), 1)
	f.Fuzz(func(t *testing.T, body []byte, maxLen int) {
		var got []eio.Packet
		err := eio.DecodePayload(body, maxLen, func(p eio.Packet) error {
			got = append(got, p)
			return nil
		})
		if maxLen > 0 && len(body) > maxLen {
			if !errors.Is(err, eio.ErrPayloadTooLarge) || len(got) > 0 {
				t.Fatalf("%d bytes over limit %d: %v, %d packets", len(body), maxLen, err, len(got))
			}
			return
		}
		if err != nil {
			if !errors.Is(err, eio.ErrInvalidPacket) {
				t.Fatalf("error %v does not match ErrInvalidPacket", err)
			}
			return
		}
		if len(got) > len(body)/1+1 || len(got) != bytes.Count(body, []byte{eio.Separator})+1 {
			t.Fatalf("%d packets from %d bytes", len(got), len(body))
		}
		enc := eio.AppendPayload(nil, got...)
		if len(enc) != eio.PayloadLen(got...) {
			t.Fatalf("PayloadLen %d, AppendPayload %d bytes", eio.PayloadLen(got...), len(enc))
		}
		i := 0
		err = eio.DecodePayload(enc, 0, func(q eio.Packet) error {
			p := got[i]
			if q.Type != p.Type || q.Binary != p.Binary || !bytes.Equal(q.Data, p.Data) {
				t.Fatalf("packet %d: %+v re-decodes as %+v", i, p, q)
			}
			i++
			return nil
		})
		if err != nil || i != len(got) {
			t.Fatalf("re-encoded %q: %v after %d packets", enc, err, i)
		}
	})
}
