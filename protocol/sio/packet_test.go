package sio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

const ph0, ph1 = `{"_placeholder":true,"num":0}`, `{"_placeholder":true,"num":1}`

// The packets of docs/protocol.md §2.2, the SIO text (what follows the Engine.IO '4')
// and the attachments, in both directions.
var packetCases = []struct {
	text string
	att  [][]byte
	pkt  sio.Packet
}{
	{"0", nil, sio.Packet{Type: sio.Connect}},
	{"0/admin,", nil, sio.Packet{Type: sio.Connect, Namespace: "/admin"}},
	{`0{"token":"123"}`, nil, sio.Packet{Type: sio.Connect, Data: json.RawMessage(`{"token":"123"}`)}},
	{`0/admin,{"token":"123"}`, nil, sio.Packet{Type: sio.Connect, Namespace: "/admin", Data: json.RawMessage(`{"token":"123"}`)}},
	{`0{"sid":"wZX3oN0bSVIhsaknAAAI"}`, nil, sio.Packet{Type: sio.Connect, Data: json.RawMessage(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}},
	{`0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, nil, sio.Packet{Type: sio.Connect, Namespace: "/admin", Data: json.RawMessage(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
	{`0{"sid":"FOqX","pid":"xhbO"}`, nil, sio.Packet{Type: sio.Connect, Data: json.RawMessage(`{"sid":"FOqX","pid":"xhbO"}`)}},
	{`4/random,{"message":"Invalid namespace"}`, nil, sio.Packet{Type: sio.ConnectError, Namespace: "/random", Data: json.RawMessage(`{"message":"Invalid namespace"}`)}},
	{`4/auth,{"message":"not authorized","data":{"reason":"bad token"}}`, nil, sio.Packet{Type: sio.ConnectError, Namespace: "/auth", Data: json.RawMessage(`{"message":"not authorized","data":{"reason":"bad token"}}`)}},
	{`4"legacy error"`, nil, sio.Packet{Type: sio.ConnectError, Data: json.RawMessage(`"legacy error"`)}},
	{"1", nil, sio.Packet{Type: sio.Disconnect}},
	{"1/admin,", nil, sio.Packet{Type: sio.Disconnect, Namespace: "/admin"}},
	{`2["foo"]`, nil, sio.Packet{Type: sio.Event, Data: json.RawMessage(`["foo"]`)}},
	{`2/admin,["bar"]`, nil, sio.Packet{Type: sio.Event, Namespace: "/admin", Data: json.RawMessage(`["bar"]`)}},
	{`212["foo"]`, nil, sio.Packet{Type: sio.Event, ID: 12, HasID: true, Data: json.RawMessage(`["foo"]`)}},
	{`20["foo"]`, nil, sio.Packet{Type: sio.Event, ID: 0, HasID: true, Data: json.RawMessage(`["foo"]`)}},
	{`2/admin,1["tellme"]`, nil, sio.Packet{Type: sio.Event, Namespace: "/admin", ID: 1, HasID: true, Data: json.RawMessage(`["tellme"]`)}},
	{`2/admin,0["tellme"]`, nil, sio.Packet{Type: sio.Event, Namespace: "/admin", ID: 0, HasID: true, Data: json.RawMessage(`["tellme"]`)}},
	{`2[1,2]`, nil, sio.Packet{Type: sio.Event, Data: json.RawMessage(`[1,2]`)}},
	{`2["<>&\u2028",{"b":1,"a":2}]`, nil, sio.Packet{Type: sio.Event, Data: json.RawMessage(`["<>&\u2028",{"b":1,"a":2}]`)}},
	{`312["bar"]`, nil, sio.Packet{Type: sio.Ack, ID: 12, HasID: true, Data: json.RawMessage(`["bar"]`)}},
	{`3/admin,13["bar"]`, nil, sio.Packet{Type: sio.Ack, Namespace: "/admin", ID: 13, HasID: true, Data: json.RawMessage(`["bar"]`)}},
	{`312[]`, nil, sio.Packet{Type: sio.Ack, ID: 12, HasID: true, Data: json.RawMessage(`[]`)}},
	{`30[]`, nil, sio.Packet{Type: sio.Ack, ID: 0, HasID: true, Data: json.RawMessage(`[]`)}},
	{`51-["baz",` + ph0 + `]`, [][]byte{{1, 2, 3, 4}},
		sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(`["baz",` + ph0 + `]`), Attachments: [][]byte{{1, 2, 3, 4}}}},
	{`52-/admin,["baz",` + ph0 + `,` + ph1 + `]`, [][]byte{{1, 2}, {3, 4}},
		sio.Packet{Type: sio.BinaryEvent, Namespace: "/admin", Data: json.RawMessage(`["baz",` + ph0 + `,` + ph1 + `]`), Attachments: [][]byte{{1, 2}, {3, 4}}}},
	{`51-/admin,7["baz",` + ph0 + `]`, [][]byte{{}},
		sio.Packet{Type: sio.BinaryEvent, Namespace: "/admin", ID: 7, HasID: true, Data: json.RawMessage(`["baz",` + ph0 + `]`), Attachments: [][]byte{{}}}},
	{`61-15["bar",` + ph0 + `]`, [][]byte{{9}},
		sio.Packet{Type: sio.BinaryAck, ID: 15, HasID: true, Data: json.RawMessage(`["bar",` + ph0 + `]`), Attachments: [][]byte{{9}}}},
	{`62-1[` + ph0 + `,{"nested":[` + ph1 + `]}]`, [][]byte{{1, 2, 3}, {4}},
		sio.Packet{Type: sio.BinaryAck, ID: 1, HasID: true, Data: json.RawMessage(`[` + ph0 + `,{"nested":[` + ph1 + `]}]`), Attachments: [][]byte{{1, 2, 3}, {4}}}},
}

func samePacket(a, b sio.Packet) bool {
	return a.Type == b.Type && a.NS() == b.NS() && a.HasID == b.HasID && a.ID == b.ID &&
		bytes.Equal(a.Data, b.Data) && slices.EqualFunc(a.Attachments, b.Attachments, bytes.Equal)
}

func TestPacketEncode(t *testing.T) {
	for _, c := range packetCases {
		frames := c.pkt.Encode()
		if len(frames) != 1+len(c.att) {
			t.Errorf("%s: %d frames, want %d", c.text, len(frames), 1+len(c.att))
			continue
		}
		if f := frames[0]; f.Type != eio.Message || f.Binary || string(f.Data) != c.text {
			t.Errorf("Encode %+v: text %+v, want %q", c.pkt, f, c.text)
		}
		for i, a := range c.att {
			if f := frames[1+i]; !f.Binary || f.Type != eio.Message || !bytes.Equal(f.Data, a) {
				t.Errorf("%s: attachment %d = %+v", c.text, i, f)
			}
		}
		if got := c.pkt.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
		if n := c.pkt.TextLen(); n != len(c.text) {
			t.Errorf("%s: TextLen %d, want %d", c.text, n, len(c.text))
		}
	}
}

func TestPacketDecode(t *testing.T) {
	for _, c := range packetCases {
		var d sio.Decoder
		got, ok, err := d.Decode(eio.TextMessage([]byte(c.text)))
		for i, a := range c.att {
			if err != nil || ok {
				break
			}
			if !d.Pending() {
				t.Errorf("%s: not pending before attachment %d", c.text, i)
			}
			got, ok, err = d.Decode(eio.BinaryMessage(a))
		}
		if err != nil || !ok {
			t.Errorf("Decode(%q): ok %v, %v", c.text, ok, err)
			continue
		}
		if !samePacket(got, c.pkt) {
			t.Errorf("Decode(%q) = %+v, want %+v", c.text, got, c.pkt)
		}
		if d.Pending() {
			t.Errorf("%s: still pending", c.text)
		}
	}
}

// The validity and grammar rules of docs/protocol.md §2.1, as the reference applies them.
func TestDecodeTextRules(t *testing.T) {
	accept := []struct {
		text string
		pkt  sio.Packet
	}{
		{"0/custom", sio.Packet{Type: sio.Connect, Namespace: "/custom"}},
		{`0/auth{"token":"x"}`, sio.Packet{Type: sio.Connect, Namespace: `/auth{"token":"x"}`}},
		{"1/admin,1", sio.Packet{Type: sio.Disconnect, Namespace: "/admin", ID: 1, HasID: true}}, // the reference accepts an id on anything
		{"0/", sio.Packet{Type: sio.Connect, Namespace: "/"}},
		{"0/,", sio.Packet{Type: sio.Connect, Namespace: "/"}},
		{"1/admin", sio.Packet{Type: sio.Disconnect, Namespace: "/admin"}},
		{`2[1,2]`, sio.Packet{Type: sio.Event, Data: json.RawMessage(`[1,2]`)}},
		{`2[-1.5e3]`, sio.Packet{Type: sio.Event, Data: json.RawMessage(`[-1.5e3]`)}},
		{`2["disconnected"]`, sio.Packet{Type: sio.Event, Data: json.RawMessage(`["disconnected"]`)}},
		{`2[ "a" ] `, sio.Packet{Type: sio.Event, Data: json.RawMessage(`[ "a" ] `)}},
		{`31[]`, sio.Packet{Type: sio.Ack, ID: 1, HasID: true, Data: json.RawMessage(`[]`)}},
		{`3007[]`, sio.Packet{Type: sio.Ack, ID: 7, HasID: true, Data: json.RawMessage(`[]`)}},
		{`29007199254740991["a"]`, sio.Packet{Type: sio.Event, ID: 9007199254740991, HasID: true, Data: json.RawMessage(`["a"]`)}},
		{`4{}`, sio.Packet{Type: sio.ConnectError, Data: json.RawMessage(`{}`)}},
		{`0{}`, sio.Packet{Type: sio.Connect, Data: json.RawMessage(`{}`)}},
		{`501-["a",` + ph0 + `]`, sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(`["a",` + ph0 + `]`), Attachments: make([][]byte, 1)}},
		{`510-["a"]`, sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(`["a"]`), Attachments: make([][]byte, 10)}},
		{`61-/x,0[]`, sio.Packet{Type: sio.BinaryAck, Namespace: "/x", HasID: true, Data: json.RawMessage(`[]`), Attachments: make([][]byte, 1)}},
	}
	for _, c := range accept {
		got, err := sio.DecodeText([]byte(c.text), 0)
		if err != nil {
			t.Errorf("DecodeText(%q): %v", c.text, err)
		} else if !samePacket(got, c.pkt) || len(got.Attachments) != len(c.pkt.Attachments) {
			t.Errorf("DecodeText(%q) = %+v, want %+v", c.text, got, c.pkt)
		}
	}
	reject := []struct {
		text string
		also error
	}{
		{"", nil}, {`2 ["a"]`, nil}, {"2\t[\"a\"]", nil}, {`4 "x"`, nil}, {`0/a, {}`, nil}, {`3 []`, nil}, {"7", nil}, {"9", nil}, {"x", nil}, {" 2[\"a\"]", nil},
		{"40[1]"[1:], nil}, {"0null", nil}, {"0[]", nil}, {`0"x"`, nil}, {"0{", nil}, {"0/admin,[1]", nil},
		{"1{}", nil}, {"1/admin,{}", nil},
		{`2/admin1["a"]`, nil}, // no comma: all namespace, and then an EVENT without payload
		{"2", nil}, {"2[]", nil}, {"2{}", nil}, {`2"a"`, nil}, {"2[null]", nil}, {"2[{}]", nil}, {"2[[]]", nil}, {"2[true]", nil}, {`2["a"`, nil}, {`2["a"]x`, nil}, {`2[,]`, nil},
		{`2["disconnect"]`, sio.ErrReservedEvent}, {`2["connect"]`, sio.ErrReservedEvent}, {`2["connect_error"]`, sio.ErrReservedEvent},
		{`2["disconnecting"]`, sio.ErrReservedEvent}, {`2["newListener"]`, sio.ErrReservedEvent}, {`2["removeListener",1]`, sio.ErrReservedEvent},
		{`2["\u0064isconnect"]`, sio.ErrReservedEvent}, {`51-["disconnect",` + ph0 + `]`, sio.ErrReservedEvent},
		{"3", nil}, {"31", nil}, {"31{}", nil}, {`31"a"`, nil}, {"3/admin,1", nil},
		{"4", nil}, {"4[]", nil}, {"41", nil}, {"4null", nil},
		{`212345678901234567["a"]`, nil},
		{`5-["a"]`, nil}, {`50-["a"]`, nil}, {`5["a"]`, nil}, {`5a-["a"]`, nil}, {`51["a"]`, nil}, {"51-", nil}, {`51-{}`, nil}, {`51-[` + ph0 + `]`, nil}, {`6-[]`, nil}, {"61-", nil},
		{`511-["a"]`, sio.ErrTooManyAttachments}, {`699999999999999999999-[]`, sio.ErrTooManyAttachments},
	}
	for _, c := range reject {
		_, err := sio.DecodeText([]byte(c.text), 0)
		if !errors.Is(err, sio.ErrInvalidPacket) {
			t.Errorf("DecodeText(%q) = %v, want ErrInvalidPacket", c.text, err)
		}
		if c.also != nil && !errors.Is(err, c.also) {
			t.Errorf("DecodeText(%q) = %v, want %v", c.text, err, c.also)
		}
	}
}

func TestDecodeTextMaxAttachments(t *testing.T) {
	if _, err := sio.DecodeText([]byte(`53-["a"]`), 2); !errors.Is(err, sio.ErrTooManyAttachments) {
		t.Errorf("3 with limit 2: %v", err)
	}
	if p, err := sio.DecodeText([]byte(`520-["a"]`), 20); err != nil || len(p.Attachments) != 20 {
		t.Errorf("20 with limit 20: %v", err)
	}
}

func TestTypeString(t *testing.T) {
	want := []string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}
	for i, w := range want {
		if got := sio.Type(i).String(); got != w {
			t.Errorf("Type(%d) = %q, want %q", i, got, w)
		}
		if sio.Type(i).IsBinary() != (i == 5 || i == 6) {
			t.Errorf("Type(%d).IsBinary", i)
		}
	}
	if got := sio.Type(7).String(); got != "Type(7)" {
		t.Errorf("Type(7) = %q", got)
	}
}

func TestPacketWithIDAndNS(t *testing.T) {
	p := sio.Packet{Type: sio.Event, Data: json.RawMessage(`["a"]`)}.WithID(0)
	if p.String() != `20["a"]` || p.NS() != "/" {
		t.Fatalf("%s %s", p.String(), p.NS())
	}
}

func TestEncodeSharesNothingMutable(t *testing.T) {
	p, err := sio.NewEvent("/", "chat", "hi")
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Encode(), p.Encode()
	a[0].Data[0] = 'X'
	if b[0].Data[0] != '2' || p.Data[0] != '[' {
		t.Fatal("Encode results share memory")
	}
}

func TestEncodeFixesBinaryType(t *testing.T) {
	for _, c := range []struct {
		pkt  sio.Packet
		want string
	}{
		{sio.Packet{Type: sio.Event, Data: json.RawMessage(`["a",` + ph0 + `]`), Attachments: [][]byte{{1}}}, `51-["a",` + ph0 + `]`},
		{sio.Packet{Type: sio.Ack, ID: 3, HasID: true, Data: json.RawMessage(`[` + ph0 + `]`), Attachments: [][]byte{{1}}}, `61-3[` + ph0 + `]`},
		{sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(`["a"]`)}, `2["a"]`},
		{sio.Packet{Type: sio.BinaryAck, Data: json.RawMessage(`[]`)}, `3[]`},
	} {
		if got := c.pkt.String(); got != c.want || c.pkt.TextLen() != len(c.want) {
			t.Errorf("%+v encodes as %s, want %s", c.pkt, got, c.want)
		}
	}
}

func TestDecodeTextHugeLimit(t *testing.T) {
	// No limit setting lets an announced count allocate without bound.
	for _, limit := range []int{math.MaxInt, math.MaxInt / 10, sio.MaxAttachmentsLimit + 1} {
		_, err := sio.DecodeText([]byte(`5999999999999999999999999-["a"]`), limit)
		if !errors.Is(err, sio.ErrTooManyAttachments) {
			t.Errorf("limit %d: %v", limit, err)
		}
		_, err = sio.DecodeText([]byte(`5`+strconv.Itoa(sio.MaxAttachmentsLimit+1)+`-["a"]`), limit)
		if !errors.Is(err, sio.ErrTooManyAttachments) {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
}
