//go:build interop && !js

package protocol_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

// The corpus and results exchanged with interop/parser/crosscheck.js. Binary
// data is {"$bin": base64} on both sides.

type eioDesc struct {
	Type string  `json:"type"`
	Data *string `json:"data,omitempty"`
	Bin  *string `json:"bin,omitempty"`
}

type eioCase struct {
	Pkt eioDesc `json:"pkt"`
	Go  string  `json:"go"` // our text form
}

type payloadCase struct {
	Pkts []eioDesc `json:"pkts"`
	Go   string    `json:"go"` // our payload
}

type sioCase struct {
	Pkt json.RawMessage   `json:"pkt"` // {type, nsp, id?, data?} as the reference's encoder takes it
	Go  []json.RawMessage `json:"go"`  // our frames: the text, then {"$bin"} per attachment
}

type corpus struct {
	EIO        []eioCase           `json:"eio"`
	EIOInvalid []string            `json:"eio_invalid"`
	Payloads   []payloadCase       `json:"payloads"`
	SIO        []sioCase           `json:"sio"`
	SIOInvalid [][]json.RawMessage `json:"sio_invalid"`
}

type results struct {
	EIO []struct {
		Text    string          `json:"text"`
		WS      json.RawMessage `json:"ws"`
		Decoded eioDesc         `json:"decoded"`
	} `json:"eio"`
	EIOInvalid []bool `json:"eio_invalid"`
	Payloads   []struct {
		Enc     string    `json:"enc"`
		Decoded []eioDesc `json:"decoded"`
	} `json:"payloads"`
	SIO []struct {
		Enc     []json.RawMessage `json:"enc"`
		Decoded json.RawMessage   `json:"decoded"`
		Reenc   []json.RawMessage `json:"reenc"`
		Valid   bool              `json:"valid"`
		Error   string            `json:"error"`
	} `json:"sio"`
	SIOInvalid []struct {
		Error   string          `json:"error"`
		Decoded json.RawMessage `json:"decoded"`
	} `json:"sio_invalid"`
	JSOnly []struct {
		Enc     []json.RawMessage `json:"enc"`
		Decoded json.RawMessage   `json:"decoded"`
		Error   string            `json:"error"`
	} `json:"js_only"`
}

func describe(p eio.Packet) eioDesc {
	d := eioDesc{Type: p.Type.String()}
	if p.Binary {
		s := base64.StdEncoding.EncodeToString(p.Data)
		d.Bin = &s
	} else if len(p.Data) > 0 {
		s := string(p.Data)
		d.Data = &s
	}
	return d
}

func (d eioDesc) String() string {
	switch {
	case d.Bin != nil:
		return d.Type + " bin " + *d.Bin
	case d.Data != nil:
		return d.Type + " " + strconv.Quote(*d.Data)
	}
	return d.Type
}

func binJSON(b []byte) json.RawMessage {
	return json.RawMessage(`{"$bin":"` + base64.StdEncoding.EncodeToString(b) + `"}`)
}

func frameJSON(f eio.Packet) json.RawMessage {
	if f.Binary {
		return binJSON(f.Data)
	}
	s, _ := json.Marshal(string(f.Data))
	return s
}

// jsType is the type of t's packet in the reference's objects: BINARY_EVENT
// and BINARY_ACK are EVENT and ACK there (holding Buffers).
func jsType(t sio.Type) sio.Type {
	switch t {
	case sio.BinaryEvent:
		return sio.Event
	case sio.BinaryAck:
		return sio.Ack
	}
	return t
}

// jsPacket is the object the reference encoder takes for p: BINARY_* types
// are EVENT/ACK with Buffers where our placeholders are.
func jsPacket(p sio.Packet) json.RawMessage {
	typ := jsType(p.Type)
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":%d,"nsp":%q`, typ, p.NS())
	if p.HasID {
		fmt.Fprintf(&b, `,"id":%d`, p.ID)
	}
	if p.Data != nil {
		data := string(p.Data)
		for i, a := range p.Attachments {
			data = strings.ReplaceAll(data, fmt.Sprintf(`{"_placeholder":true,"num":%d}`, i), string(binJSON(a)))
		}
		b.WriteString(`,"data":` + data)
	}
	b.WriteString("}")
	return json.RawMessage(b.String())
}

// markValues turns the []byte of Args.Values into {"$bin"} objects.
func markValues(v any) any {
	switch v := v.(type) {
	case []byte:
		return map[string]any{"$bin": base64.StdEncoding.EncodeToString(v)}
	case []any:
		for i := range v {
			v[i] = markValues(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = markValues(v[k])
		}
	}
	return v
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func sameFrames(a, b []json.RawMessage) bool {
	return slices.EqualFunc(a, b, func(x, y json.RawMessage) bool { return jsonEqual(x, y) })
}

func eioPackets() []eio.Packet {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	h := eio.Handshake{SID: "lv_VI97HAXpY6yYWAAAC", Upgrades: []string{"websocket"}, PingInterval: 25000, PingTimeout: 20000, MaxPayload: 1000000}
	return []eio.Packet{
		h.OpenPacket(),
		eio.Handshake{SID: "x-_y", Upgrades: []string{}, PingInterval: 300, PingTimeout: 200, MaxPayload: 1e6}.OpenPacket(),
		eio.ClosePacket, eio.PingPacket, eio.PongPacket, eio.UpgradePacket, eio.NoopPacket,
		{Type: eio.Ping, Data: []byte("probe")}, {Type: eio.Pong, Data: []byte("probe")},
		eio.TextMessage([]byte("hello")),
		eio.TextMessage([]byte("€ 😀 é <>&\u2028\t\n\x01")),
		eio.TextMessage([]byte(`2["hey","Jude"]`)),
		eio.BinaryMessage([]byte{}), eio.BinaryMessage([]byte{0}), eio.BinaryMessage([]byte{1, 2}),
		eio.BinaryMessage([]byte{1, 2, 3}), eio.BinaryMessage([]byte{1, 2, 3, 4}), eio.BinaryMessage(all),
		eio.BinaryMessage([]byte{0xfb, 0xff, 0xbf}),
	}
}

func sioPackets(t *testing.T) []sio.Packet {
	must := func(p sio.Packet, err error) sio.Packet {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	raw := func(typ sio.Type, nsp, data string, att ...[]byte) sio.Packet {
		p := sio.Packet{Type: typ, Namespace: nsp, Attachments: att}
		if data != "" {
			p.Data = json.RawMessage(data)
		}
		return p
	}
	strs := []any{"", "plain", "<script>&amp;</script>", "\u2028\u2029", "\x00\x01\x1e\x1f\x7f", "\b\f\n\r\t\"\\/",
		"é€😀𝄞", "\ufeff\ufffd", "bad\xffutf8", "a\u001eb"}
	nums := []any{0, -1, 1.5, 1e21, 1e-7, 0.1, 123456789.125, 1 << 53, math.Copysign(0, -1), math.MaxFloat64, 5e-324, float32(3.14)}
	return []sio.Packet{
		raw(sio.Connect, "/", ""),
		raw(sio.Connect, "/admin", ""),
		raw(sio.Connect, "/", `{"token":"123"}`),
		raw(sio.Connect, "/admin", `{"token":"123","nested":{"a":[1,2,{"b":null}]},"s":"<&>"}`),
		raw(sio.Connect, "/", `{"sid":"wZX3oN0bSVIhsaknAAAI"}`),
		raw(sio.Connect, "/admin", `{"sid":"oSO0OpakMV_3jnilAAAA","pid":"xhbO"}`),
		raw(sio.Connect, "/ünï", `{}`),
		raw(sio.Disconnect, "/", ""),
		raw(sio.Disconnect, "/admin", ""),
		raw(sio.ConnectError, "/random", `{"message":"Invalid namespace"}`),
		raw(sio.ConnectError, "/auth", `{"message":"not authorized","data":{"reason":"bad token"}}`),
		raw(sio.ConnectError, "/", `"legacy"`),
		must(sio.NewEvent("/", "chat", "hello", map[string]any{"text": "hi", "n": 3})),
		must(sio.NewEvent("/", "chat", json.RawMessage(`{"z":1,"a":{"y":[true,false,null]},"m":"<>&"}`))),
		must(sio.NewEvent("/admin", "bar")),
		must(sio.NewEvent("/", "strings", strs...)),
		must(sio.NewEvent("/", "nums", nums...)),
		must(sio.NewEvent("/", "<>&\u2028 ünïcode 😀", []any{}, map[string]any{}, nil, true)),
		must(sio.NewEvent("/", "ack")).WithID(0),
		must(sio.NewEvent("/", "ack")).WithID(12),
		must(sio.NewEvent("/admin", "tellme")).WithID(1),
		must(sio.NewEvent("/admin", "big")).WithID(1<<53 - 1),
		raw(sio.Event, "/", `[1,2]`),
		raw(sio.Event, "/", `[1.5,"x"]`),
		raw(sio.Event, "/x", `["disconnected",{"_placeholder":true,"num":0}]`),
		must(sio.NewAck("/", 12)),
		must(sio.NewAck("/", 0, "bar")),
		must(sio.NewAck("/admin", 13, "bar", map[string]any{"ok": true})),
		must(sio.NewEvent("/", "baz", []byte{1, 2, 3, 4})),
		must(sio.NewEvent("/admin", "baz", []byte{1, 2}, []byte{3, 4})),
		must(sio.NewEvent("/", "nested", map[string]any{"file": []byte{}, "list": []any{[]byte{5}, "x", map[string]any{"deep": []byte{6, 7}}}}, []byte{8})),
		must(sio.NewEvent("/admin", "bin-ack", []byte{0xff})).WithID(0),
		must(sio.NewAck("/", 15, "bar", []byte{1, 2, 3})),
		must(sio.NewAck("/", 1, []byte{1, 2, 3}, map[string]any{"nested": []any{[]byte{4}}})),
		must(sio.NewAck("/admin", 7, []any{[]byte{9}, []byte{10}}, "<>&")),
	}
}

// sioInvalid are inputs both decoders reject.
var sioInvalid = [][]string{
	{"40[1]"[1:]}, {"0null"}, {`0"x"`}, {"0[]"}, {"0{"}, {"1{}"}, {"1/admin,{}"},
	{"2[]"}, {"2{}"}, {`2"a"`}, {"2[null]"}, {"2[{}]"}, {"2[true]"}, {"2[[]]"}, {`2["a"`}, {`2["a"]x`},
	{`2["disconnect"]`}, {`2["connect"]`}, {`2["connect_error"]`}, {`2["disconnecting"]`}, {`2["newListener"]`}, {`2["removeListener"]`},
	{"31{}"}, {`31"a"`}, {"4[]"}, {"4null"}, {` 2["a"]`}, {"7"}, {"9"}, {"x"},
	{`5-["a"]`}, {`50-["a"]`}, {`5a-["a"]`}, {`51["a"]`}, {`511-["a"]`},
	{`51-["a",{"_placeholder":true,"num":1}]`, "$AQ=="},
	{`51-["a",{"_placeholder":true,"num":-1}]`, "$AQ=="},
	{`51-["a",{"_placeholder":true,"num":"0"}]`, "$AQ=="},
	{`51-["a",{"_placeholder":true}]`, "$AQ=="},
	{`61-3[{"x":[{"y":{"_placeholder":true,"num":3}}]}]`, "$AQ=="},
	{`51-["a",{"\u005fplaceholder":true,"num":1}]`, "$AQ=="},
	{"$AQ=="},
	{`52-["a",{"_placeholder":true,"num":0}]`, "$AQ==", `2["b"]`},
}

// goStricter are inputs the reference accepts and we refuse on purpose.
var goStricter = [][]string{
	{""},                    // the reference reads "" as CONNECT "/" (Number("") is 0)
	{"41"},                  // CONNECT_ERROR with an ack id and no payload
	{" "},                   // a space is type 0 (CONNECT) too
	{`2 ["a"]`},             // white space before the payload is an ack id 0 for the reference
	{"3\t\t[]"},             // (Number("\t\t") is 0)
	{"0000000000000000000"}, // an ack id of more than 16 digits
	{"2"},                   // EVENT without payload (the server then dispatches an undefined event)
	{"31"},                  // ACK without payload
	{"4"},                   // CONNECT_ERROR without payload
	{`2/admin1["a"]`},       // all namespace (no comma), then an EVENT without payload
}

func frames(t *testing.T, in []string) ([]json.RawMessage, []eio.Packet) {
	var js []json.RawMessage
	var ms []eio.Packet
	for _, s := range in {
		if b64, ok := strings.CutPrefix(s, "$"); ok {
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatal(err)
			}
			js = append(js, binJSON(b))
			ms = append(ms, eio.BinaryMessage(b))
		} else {
			js = append(js, frameJSON(eio.TextMessage([]byte(s))))
			ms = append(ms, eio.TextMessage([]byte(s)))
		}
	}
	return js, ms
}

func decodeAll(ms []eio.Packet) (sio.Packet, error) {
	var d sio.Decoder
	for i, m := range ms {
		p, ok, err := d.Decode(m)
		if err != nil {
			return p, err
		}
		if ok {
			if i != len(ms)-1 {
				return p, fmt.Errorf("packet complete after %d of %d frames", i+1, len(ms))
			}
			return p, nil
		}
	}
	return sio.Packet{}, fmt.Errorf("incomplete after %d frames", len(ms))
}

// unframe turns frames from the reference back into Engine.IO messages.
func unframe(t *testing.T, fs []json.RawMessage) []eio.Packet {
	var out []eio.Packet
	for _, f := range fs {
		var s string
		if json.Unmarshal(f, &s) == nil {
			out = append(out, eio.TextMessage([]byte(s)))
			continue
		}
		var b struct {
			Bin []byte `json:"$bin"`
		}
		if err := json.Unmarshal(f, &b); err != nil {
			t.Fatalf("frame %s: %v", f, err)
		}
		out = append(out, eio.BinaryMessage(b.Bin))
	}
	return out
}

func TestCrossCheck(t *testing.T) {
	var c corpus
	epk := eioPackets()
	for _, p := range epk {
		c.EIO = append(c.EIO, eioCase{Pkt: describe(p), Go: string(p.AppendText(nil))})
	}
	c.EIOInvalid = []string{"", "7", "9", "a", "abc", "\x1e", " 4"}
	payloads := [][]eio.Packet{
		{eio.TextMessage([]byte("hello"))},
		{eio.TextMessage([]byte(`2["hey","Jude"]`)), eio.PingPacket},
		{eio.TextMessage([]byte("hello")), eio.BinaryMessage([]byte{1, 2, 3, 4})},
		{eio.NoopPacket, eio.ClosePacket},
		{eio.TextMessage([]byte(`2["a\u001eb","\u001e"]`)), eio.BinaryMessage([]byte{0x1e}), eio.TextMessage([]byte("€"))},
		epk[2:],
	}
	spk := sioPackets(t)
	for _, p := range spk {
		// A payload of the Engine.IO messages of each Socket.IO packet.
		payloads = append(payloads, p.Encode())
	}
	for _, ps := range payloads {
		pc := payloadCase{Go: string(eio.AppendPayload(nil, ps...))}
		for _, p := range ps {
			pc.Pkts = append(pc.Pkts, describe(p))
		}
		c.Payloads = append(c.Payloads, pc)
	}
	for _, p := range spk {
		sc := sioCase{Pkt: jsPacket(p)}
		for _, f := range p.Encode() {
			sc.Go = append(sc.Go, frameJSON(f))
		}
		c.SIO = append(c.SIO, sc)
	}
	for _, in := range append(slices.Clone(sioInvalid), goStricter...) {
		js, _ := frames(t, in)
		c.SIOInvalid = append(c.SIOInvalid, js)
	}

	var stdin bytes.Buffer
	enc := json.NewEncoder(&stdin)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := nodetest.Run(t, ctx, &stdin, "parser/crosscheck.js")
	var r results
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("reference output: %v\n%s", err, out)
	}
	if len(r.EIO) != len(c.EIO) || len(r.Payloads) != len(c.Payloads) || len(r.SIO) != len(c.SIO) || len(r.SIOInvalid) != len(c.SIOInvalid) || len(r.EIOInvalid) != len(c.EIOInvalid) {
		t.Fatalf("reference answered %d/%d/%d/%d/%d cases", len(r.EIO), len(r.Payloads), len(r.SIO), len(r.SIOInvalid), len(r.EIOInvalid))
	}

	t.Run("eio", func(t *testing.T) {
		for i, p := range epk {
			res, want := r.EIO[i], c.EIO[i]
			// (1) reference encodes -> same bytes as ours, and we decode them back.
			if res.Text != want.Go {
				t.Errorf("%v: reference text %q, ours %q", want.Pkt, res.Text, want.Go)
			}
			got, err := eio.DecodeText([]byte(res.Text))
			if err != nil || got.Type != p.Type || got.Binary != p.Binary || !bytes.Equal(got.Data, p.Data) {
				t.Errorf("%v: decoding the reference's %q: %+v, %v", want.Pkt, res.Text, got, err)
			}
			// Over WebSocket: a binary frame with exactly the bytes, or the same text.
			ws := frameJSON(eio.TextMessage(p.AppendText(nil)))
			if p.Binary {
				ws = binJSON(p.Data)
			}
			if !jsonEqual(res.WS, ws) {
				t.Errorf("%v: reference WebSocket frame %s, ours %s", want.Pkt, res.WS, ws)
			}
			// (2) the reference decodes ours to the same packet.
			if res.Decoded.String() != want.Pkt.String() {
				t.Errorf("reference decodes our %q as %v, want %v", want.Go, res.Decoded, want.Pkt)
			}
		}
		for i, s := range c.EIOInvalid {
			_, err := eio.DecodeText([]byte(s))
			if !r.EIOInvalid[i] || err == nil {
				t.Errorf("%q: reference error %v, ours %v", s, r.EIOInvalid[i], err)
			}
		}
	})

	t.Run("payload", func(t *testing.T) {
		for i, res := range r.Payloads {
			want := c.Payloads[i]
			if res.Enc != want.Go {
				t.Errorf("reference payload %q, ours %q", res.Enc, want.Go)
			}
			var got []eioDesc
			if err := eio.DecodePayload([]byte(res.Enc), 0, func(p eio.Packet) error {
				got = append(got, describe(p))
				return nil
			}); err != nil {
				t.Errorf("decoding the reference's payload %q: %v", res.Enc, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want.Pkts) {
				t.Errorf("we decode %q as %v, want %v", res.Enc, got, want.Pkts)
			}
			if fmt.Sprint(res.Decoded) != fmt.Sprint(want.Pkts) {
				t.Errorf("reference decodes our %q as %v, want %v", want.Go, res.Decoded, want.Pkts)
			}
		}
	})

	t.Run("sio", func(t *testing.T) {
		for i, p := range spk {
			res, want := r.SIO[i], c.SIO[i]
			name := p.String()
			// (1) reference encodes the same frames, byte for byte, and we decode them.
			if !slices.EqualFunc(res.Enc, want.Go, func(a, b json.RawMessage) bool { return jsonEqual(a, b) }) {
				t.Errorf("%s: reference encodes %s\nours %s", name, res.Enc, want.Go)
			}
			got, err := decodeAll(unframe(t, res.Enc))
			if err != nil {
				t.Errorf("%s: decoding the reference's frames: %v", name, err)
			} else if got.Type != p.Type || got.NS() != p.NS() || got.HasID != p.HasID || got.ID != p.ID ||
				!bytes.Equal(got.Data, p.Data) || !slices.EqualFunc(got.Attachments, p.Attachments, bytes.Equal) {
				t.Errorf("%s: decoded the reference's frames as %+v", name, got)
			}
			// (2) reference decodes ours to the same packet, valid, and re-encodes the same bytes.
			if res.Error != "" {
				t.Errorf("%s: reference fails to decode ours: %s", name, res.Error)
				continue
			}
			if !jsonEqual(res.Decoded, want.Pkt) {
				t.Errorf("%s: reference decodes ours as %s, want %s", name, res.Decoded, want.Pkt)
			}
			if !res.Valid {
				t.Errorf("%s: reference says the packet is not valid", name)
			}
			if !sameFrames(res.Reenc, want.Go) {
				t.Errorf("%s: reference re-encodes as %s\nours %s", name, res.Reenc, want.Go)
			}
			// Our Args see the same values as the reference's decoded data.
			if p.Type == sio.Event || p.Type == sio.BinaryEvent || p.Type == sio.Ack || p.Type == sio.BinaryAck {
				var vals []any
				if p.Type == sio.Event || p.Type == sio.BinaryEvent {
					ev, args, err := sio.ParseEvent(&got)
					if err != nil {
						t.Errorf("%s: ParseEvent: %v", name, err)
						continue
					}
					v, err := args.Values()
					if err != nil {
						t.Errorf("%s: Values: %v", name, err)
						continue
					}
					var first any = ev
					if f, err := strconv.ParseFloat(ev, 64); err == nil && got.Data[1] != '"' {
						first = f
					}
					vals = append([]any{first}, v...)
				} else {
					v, err := sio.ParseArgs(&got).Values()
					if err != nil {
						t.Errorf("%s: Values: %v", name, err)
						continue
					}
					vals = v
				}
				var js struct {
					Data json.RawMessage `json:"data"`
				}
				_ = json.Unmarshal(res.Decoded, &js)
				ours, _ := json.Marshal(markValues(vals))
				if !jsonEqual(ours, js.Data) {
					t.Errorf("%s: our Args %s, reference data %s", name, ours, js.Data)
				}
			}
		}
	})

	// Packets only JavaScript writes (lone surrogates, integer-like keys,
	// Dates, undefined, typed arrays...): we decode the reference's frames to
	// what its own decoder sees.
	t.Run("js only", func(t *testing.T) {
		if len(r.JSOnly) == 0 {
			t.Fatal("no cases")
		}
		for _, res := range r.JSOnly {
			if res.Error != "" {
				t.Errorf("%s: the reference fails to decode its own frames: %s", res.Enc, res.Error)
				continue
			}
			got, err := decodeAll(unframe(t, res.Enc))
			if err != nil {
				t.Errorf("%s: %v", res.Enc, err)
				continue
			}
			var want struct {
				Type int             `json:"type"`
				NSP  string          `json:"nsp"`
				ID   *uint64         `json:"id"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(res.Decoded, &want); err != nil {
				t.Fatal(err)
			}
			typ := jsType(got.Type)
			if int(typ) != want.Type || got.NS() != want.NSP || got.HasID != (want.ID != nil) || (want.ID != nil && got.ID != *want.ID) {
				t.Errorf("%s: decoded %+v, reference %s", res.Enc, got, res.Decoded)
				continue
			}
			var vals []any
			switch got.Type {
			case sio.Event, sio.BinaryEvent:
				name, args, err := sio.ParseEvent(&got)
				if err != nil {
					t.Errorf("%s: %v", res.Enc, err)
					continue
				}
				v, err := args.Values()
				if err != nil {
					t.Errorf("%s: %v", res.Enc, err)
					continue
				}
				var first any = name
				if got.Data[1] != '"' {
					first, _ = strconv.ParseFloat(name, 64)
				}
				vals = append([]any{first}, v...)
			case sio.Ack, sio.BinaryAck:
				v, err := sio.ParseArgs(&got).Values()
				if err != nil {
					t.Errorf("%s: %v", res.Enc, err)
					continue
				}
				vals = v
			default:
				var v any
				if err := json.Unmarshal(got.Data, &v); err != nil {
					t.Errorf("%s: %v", res.Enc, err)
					continue
				}
				ours, _ := json.Marshal(v)
				if !jsonEqual(ours, want.Data) {
					t.Errorf("%s: our data %s, reference %s", res.Enc, ours, want.Data)
				}
				continue
			}
			ours, _ := json.Marshal(markValues(vals))
			if !jsonEqual(ours, want.Data) {
				t.Errorf("%s: our values %s, reference %s", res.Enc, ours, want.Data)
			}
		}
	})

	t.Run("sio invalid", func(t *testing.T) {
		for i, in := range sioInvalid {
			_, ms := frames(t, in)
			_, err := decodeAll(ms)
			if res := r.SIOInvalid[i]; res.Error == "" || err == nil {
				t.Errorf("%q: reference error %q (decoded %s), ours %v", in, res.Error, res.Decoded, err)
			}
		}
		for i, in := range goStricter {
			_, ms := frames(t, in)
			_, err := decodeAll(ms)
			if res := r.SIOInvalid[len(sioInvalid)+i]; res.Error != "" || err == nil {
				t.Errorf("%q: documented as accepted by the reference (%q) and refused by us (%v)", in, res.Error, err)
			}
		}
	})
}
