package sio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

// seedTexts are the text packets of the table tests.
func seedTexts() []string {
	var out []string
	for _, c := range packetCases {
		out = append(out, c.text)
	}
	return append(out,
		"0/custom", `0/auth{"token":"x"}`, "40[1]"[1:], "0null", "1{}", "2[]", `2["disconnect"]`, "2[1,2]", "31[]",
		`511-["a"]`, `51-["a",{"_placeholder":true,"num":1}]`, `2[1e400]`, `2["\u0064isconnect"]`, `2[-0.0e-0]`,
		`699999999999999999999-[]`, `2/a,99999999999999999999["x"]`, "", "5", "5-", `52-/x,0[{"_placeholder":true,"num":0,"x":{"_placeholder":true}}]`)
}

// FuzzSIODecodeText: never panics; errors match ErrInvalidPacket; the
// attachment count allocated stays within the limit; a decoded packet
// re-encodes to text that decodes to the same packet.
func FuzzSIODecodeText(f *testing.F) {
	for _, s := range seedTexts() {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, limit uint8) {
		max := int(limit % 16)
		p, err := sio.DecodeText(b, max)
		if err != nil {
			if !errors.Is(err, sio.ErrInvalidPacket) {
				t.Fatalf("error %v does not match ErrInvalidPacket", err)
			}
			return
		}
		if max == 0 {
			max = sio.DefaultMaxAttachments
		}
		if len(p.Attachments) > max || p.Type.IsBinary() != (len(p.Attachments) > 0) {
			t.Fatalf("%d attachments (limit %d) for %v", len(p.Attachments), max, p.Type)
		}
		enc := p.AppendText(nil)
		if len(enc) != p.TextLen() {
			t.Fatalf("TextLen %d, AppendText %d bytes", p.TextLen(), len(enc))
		}
		q, err := sio.DecodeText(enc, max)
		if err != nil {
			t.Fatalf("%q -> %q: %v", b, enc, err)
		}
		if !samePacket(p, q) || len(q.Attachments) != len(p.Attachments) {
			t.Fatalf("%q -> %+v -> %q -> %+v", b, p, enc, q)
		}
		if p.Type == sio.Event || p.Type == sio.BinaryEvent {
			if _, _, err := sio.ParseEvent(&p); err != nil {
				t.Fatalf("DecodeText accepted %q but ParseEvent fails: %v", b, err)
			}
		}
	})
}

// splitMessages turns fuzz bytes into Engine.IO messages: records separated by
// 0x1e, a record starting with 'B' is a binary message of the rest.
func splitMessages(b []byte) []eio.Packet {
	var out []eio.Packet
	for _, r := range bytes.Split(b, []byte{0x1e}) {
		if len(r) > 0 && r[0] == 'B' {
			out = append(out, eio.BinaryMessage(r[1:]))
		} else {
			out = append(out, eio.TextMessage(r))
		}
	}
	return out
}

// FuzzSIODecoder: a sequence of text and binary messages through a Decoder
// never panics, never yields a packet whose placeholders are out of range,
// keeps attachments within the limit, and every packet it yields encodes to
// messages that decode to the same packet, whose arguments all decode.
func FuzzSIODecoder(f *testing.F) {
	for _, c := range packetCases {
		msgs := c.text
		for _, a := range c.att {
			msgs += "\x1eB" + string(a)
		}
		f.Add([]byte(msgs), uint8(0))
	}
	f.Add([]byte(`52-["a",{"_placeholder":true,"num":0}]`+"\x1eB\x01\x1e"+`2["b"]`), uint8(0))
	f.Add([]byte("B\x01\x1e"+`2["a"]`), uint8(0))
	// DecodeSplit's one-pass path: names, spaces, nesting, trailing bytes,
	// reserved and invalid names, escapes, more values than the buffer.
	for _, m := range []string{`2[ "a" , 1 ,[{"b":[]}] ]`, `2/x,5[-1.5e3]`, `2[]`, `2["a"] `, `2["a"]]`, `2["a",]`,
		`2["connect"]`, `2["conn\u0065ct"]`, `2[true]`, `2[{"a":1}]`, `2["a\"b",tru]`, `2["a","\x"]`, `2["a",1,2,3,4,5]`,
		"2[\"a\x01\"]", `2["abcdefghijklmnopqrstuvwxyz012345",42]`, `2123["echo","abcdefghijklmnopqrstuvwxyz012345",42]`} {
		f.Add([]byte(m), uint8(0))
	}
	f.Add([]byte(`51-["a",{"_placeholder":true,"num":1}]`+"\x1eB\x01\x1e"+`51-["a",{"_placeholder":true,"num":0}]`+"\x1eB"), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, limit uint8) {
		max := int(limit % 16)
		d := sio.Decoder{MaxAttachments: max}
		if max == 0 {
			max = sio.DefaultMaxAttachments
		}
		ds := sio.Decoder{MaxAttachments: d.MaxAttachments} // the same messages through DecodeSplit
		var buf [2]json.RawMessage
		for _, m := range splitMessages(b) {
			p, ok, err := d.Decode(m)
			checkDecodeSplit(t, &ds, m, buf[:0], p, ok, err)
			if err != nil {
				if !errors.Is(err, sio.ErrInvalidPacket) {
					t.Fatalf("error %v does not match ErrInvalidPacket", err)
				}
				if d.Pending() {
					t.Fatal("pending after an error")
				}
				continue
			}
			if !ok {
				continue
			}
			if len(p.Attachments) > max {
				t.Fatalf("%d attachments, limit %d", len(p.Attachments), max)
			}
			var d2 sio.Decoder
			d2.MaxAttachments = max
			var q sio.Packet
			frames := p.Encode()
			for i, f := range frames {
				var ok2 bool
				if q, ok2, err = d2.Decode(f); err != nil || ok2 != (i == len(frames)-1) {
					t.Fatalf("%+v re-decodes with ok %v, %v", p, ok2, err)
				}
			}
			if !samePacket(p, q) {
				t.Fatalf("%+v re-decodes as %+v", p, q)
			}
			var args sio.Args
			switch p.Type {
			case sio.Event, sio.BinaryEvent:
				_, a, err := sio.ParseEvent(&p)
				if err != nil {
					t.Fatalf("ParseEvent(%s): %v", p.Data, err)
				}
				args = a
			case sio.Ack, sio.BinaryAck:
				args = sio.ParseArgs(&p)
			}
			if _, err := args.Values(); err != nil && !numberOutOfRange(err) {
				t.Fatalf("Values of %s: %v", p.Data, err)
			}
		}
	})
}

// checkDecodeSplit checks that DecodeSplit of m by ds gives what Decode gave
// (p, ok, err), and for a text EVENT the values SplitEvent gives.
func checkDecodeSplit(t *testing.T, ds *sio.Decoder, m eio.Packet, buf []json.RawMessage, p sio.Packet, ok bool, err error) {
	t.Helper()
	sp, elems, sok, serr := ds.DecodeSplit(m, buf)
	if (err == nil) != (serr == nil) || (err != nil && err.Error() != serr.Error()) {
		t.Fatalf("DecodeSplit(%q): error %v, Decode: %v", m.Data, serr, err)
	}
	if err != nil {
		if elems != nil || ds.Pending() {
			t.Fatalf("DecodeSplit(%q) failed with values %q or pending", m.Data, elems)
		}
		return
	}
	if sok != ok || !samePacket(sp, p) {
		t.Fatalf("DecodeSplit(%q) = %+v %v, Decode: %+v %v", m.Data, sp, sok, p, ok)
	}
	if wantSplit := ok && p.Type == sio.Event && !m.Binary; wantSplit != (elems != nil) {
		t.Fatalf("DecodeSplit(%q) values %q", m.Data, elems)
	}
	if elems == nil {
		return
	}
	name, args, err := sio.SplitEvent(&p, nil)
	if err != nil {
		t.Fatalf("SplitEvent(%s): %v", p.Data, err)
	}
	if len(elems) != 1+args.Len() || string(elems[0]) != string(name) {
		t.Fatalf("DecodeSplit(%q) values %q, SplitEvent: %s %q", m.Data, elems, name, args.All())
	}
	for i, a := range args.All() {
		if string(elems[1+i]) != string(a) {
			t.Fatalf("DecodeSplit(%q) values %q, SplitEvent: %s %q", m.Data, elems, name, args.All())
		}
	}
}

// numberOutOfRange reports the one way valid JSON fails to decode into an any:
// a number beyond float64 (1e400, which JavaScript reads as Infinity).
func numberOutOfRange(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te) && strings.HasPrefix(te.Value, "number")
}

// FuzzArgs: ParseEvent and decoding arguments never panic, even on payloads
// no decoder checked, and agree with DecodeText when it accepts the payload.
func FuzzArgs(f *testing.F) {
	for _, c := range packetCases {
		if c.pkt.Type == sio.Event || c.pkt.Type == sio.BinaryEvent {
			f.Add([]byte(c.pkt.Data))
		}
	}
	for _, s := range []string{`["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, `[1e400]`, `[}}`, `[,]`, `["a",[{"b":"\ud800"}]]`, `["x",{"_placeholder":true}]`,
		`["m",{"hello":"lol","message":{"_placeholder":true,"num":1},"l":[{"_placeholder":true,"num":0}]}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Unchecked payload, with two attachments.
		p := sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(data), Attachments: [][]byte{{1}, {2, 3}}}
		if name, args, err := sio.ParseEvent(&p); err == nil {
			_ = name
			_, _ = args.Values()
			var s struct {
				A []byte `json:"a"`
				B any    `json:"b"`
			}
			var bs []byte
			var raw json.RawMessage
			for i := range args.Len() {
				_ = args.Decode(i, &s)
				_ = args.Decode(i, &bs)
				_ = args.Decode(i, &raw)
				// Attachments decode the same into a map or a slice as into an any.
				var x any
				if args.Decode(i, &x) != nil {
					continue
				}
				var got any
				switch x.(type) {
				case map[string]any:
					var m map[string]any
					err = args.Decode(i, &m)
					got = m
				case []any:
					var l []any
					err = args.Decode(i, &l)
					got = l
				default:
					continue
				}
				if err != nil || !reflect.DeepEqual(got, x) {
					t.Fatalf("Decode(%s): %#v, %v; into an any: %#v", args.Raw(i), got, err, x)
				}
			}
		}
		_, _ = sio.ParseArgs(&p).Values()

		// Checked payload: when DecodeText accepts it, everything decodes.
		q, err := sio.DecodeText(append([]byte("2"), data...), 0)
		if err != nil {
			return
		}
		name, args, err := sio.ParseEvent(&q)
		if err != nil {
			t.Fatalf("DecodeText accepts %s, ParseEvent: %v", data, err)
		}
		if name == "" && q.Data[bytes.IndexAny(q.Data, `"-0123456789`)] != '"' { // (not the ack id's digits)
			t.Fatalf("numeric name of %s is empty", data)
		}
		// SplitEvent agrees: same arguments, and the raw name is name.
		var buf [2]json.RawMessage
		rawName, split, err := sio.SplitEvent(&q, buf[:0])
		if err != nil || !sio.EventNameIs(rawName, name) || sio.EventNameIs(rawName, name+"x") || !reflect.DeepEqual(split, args) {
			t.Fatalf("SplitEvent(%s) = %s, %v, %v; ParseEvent %q, %v", data, rawName, split, err, name, args)
		}
		if n, ok := sio.EventName(rawName); !ok || n != name {
			t.Fatalf("EventName(%s) = %q, %v; ParseEvent %q", rawName, n, ok, name)
		}
		vals, err := args.Values()
		if (err != nil || len(vals) != args.Len()) && !numberOutOfRange(err) {
			t.Fatalf("Values of %s: %v", data, err)
		}
		for i := range args.Len() {
			var x any
			if err := json.Unmarshal(args.Raw(i), &x); err != nil {
				t.Fatalf("argument %d of %s is not JSON: %s", i, data, args.Raw(i))
			}
			var s, std string
			err := args.Decode(i, &s)
			stdErr := json.Unmarshal(args.Raw(i), &std)
			if (err == nil) != (stdErr == nil) || s != std {
				t.Fatalf("Decode(%s, *string) = %q, %v; json.Unmarshal %q, %v", args.Raw(i), s, err, std, stdErr)
			}
		}
	})
}
