package sio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

func decodeEvent(t *testing.T, msgs ...string) (string, sio.Args) {
	t.Helper()
	var d sio.Decoder
	var p sio.Packet
	for i, m := range msgs {
		var ok bool
		var err error
		if i == 0 {
			p, ok, err = d.Decode(text(m))
		} else {
			p, ok, err = d.Decode(bin([]byte(m)...))
		}
		if err != nil {
			t.Fatalf("decode %q: %v", m, err)
		}
		if ok != (i == len(msgs)-1) {
			t.Fatalf("decode %q: ok %v", m, ok)
		}
	}
	name, args, err := sio.ParseEvent(&p)
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	return name, args
}

func TestParseEventNames(t *testing.T) {
	for text, want := range map[string]string{
		`2["chat"]`:            "chat",
		`2["a\"b\\c\u00e9"]`:   "a\"b\\cé",
		`2["\ud83d\ude00",1]`:  "😀",
		`2[1,2]`:               "1",
		`2[1.0]`:               "1",
		`2[-0]`:                "0",
		`2[1.5]`:               "1.5",
		`2[1e21]`:              "1e+21",
		`2[1e20]`:              "100000000000000000000",
		`2[1e-7]`:              "1e-7",
		`2[0.000001]`:          "0.000001",
		`2[-2.5E-10]`:          "-2.5e-10",
		`2[1e400]`:             "Infinity",
		`2[ "spaced" , 1 ]`:    "spaced",
		`2/admin,["x"]`:        "x",
		`2["disconnected"]`:    "disconnected",
		`2["\u0000"]`:          "\x00",
		`2["<b>&amp;</b>",{}]`: "<b>&amp;</b>",
	} {
		name, _ := decodeEvent(t, text)
		if name != want {
			t.Errorf("%s: name %q, want %q", text, name, want)
		}
	}
}

// TestSplitEvent: SplitEvent gives ParseEvent's arguments in the caller's
// buffer, and a raw name that EventNameIs and EventName read as ParseEvent's
// name; a plain event is split and matched without allocating.
func TestSplitEvent(t *testing.T) {
	for _, text := range []string{`2["chat"]`, `2["chat",1,"x",{"a":[1]},null]`, `2["a\"b\\c\u00e9",1]`, `2["é",2]`, "2[\"bad\xff\",1]", `2[1.0,{}]`, `2[1e21]`, `2["\u0000"]`, `2[ "spaced" , 1 ]`} {
		p, err := sio.DecodeText([]byte(text), 0)
		if err != nil {
			t.Fatal(err)
		}
		name, args, err := sio.ParseEvent(&p)
		if err != nil {
			t.Fatal(err)
		}
		var buf [3]json.RawMessage
		raw, split, err := sio.SplitEvent(&p, buf[:0])
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if !reflect.DeepEqual(split, args) {
			t.Errorf("%s: SplitEvent args %v, ParseEvent %v", text, split.All(), args.All())
		}
		if got, ok := sio.EventName(raw); !ok || got != name {
			t.Errorf("%s: EventName(%s) = %q, %v, want %q", text, raw, got, ok, name)
		}
		if !sio.EventNameIs(raw, name) {
			t.Errorf("%s: EventNameIs(%s, %q) false", text, raw, name)
		}
		for _, other := range []string{"", name + "x", "x" + name, name[:len(name)-1]} {
			if other != name && sio.EventNameIs(raw, other) {
				t.Errorf("%s: EventNameIs(%s, %q) true", text, raw, other)
			}
		}
	}
	for _, raw := range []string{``, `"`, `x`, `{}`, `[]`, `true`} {
		if _, ok := sio.EventName(json.RawMessage(raw)); ok {
			t.Errorf("EventName(%s) ok", raw)
		}
		if sio.EventNameIs(json.RawMessage(raw), "x") || sio.EventNameIs(json.RawMessage(raw), "") {
			t.Errorf("EventNameIs(%s) true", raw)
		}
	}
	if raw := json.RawMessage("\"bad\xff\""); sio.EventNameIs(raw, "bad\xff") || !sio.EventNameIs(raw, "bad\uFFFD") {
		t.Error("EventNameIs: invalid UTF-8 is not read as U+FFFD")
	}
	for _, c := range []struct{ text, name string }{{`2["echo",1,"abc",{"n":7}]`, "echo"}, {`2["café",1,"abc",{"n":7}]`, "café"}} {
		p, _ := sio.DecodeText([]byte(c.text), 0)
		var buf [4]json.RawMessage
		if n := testing.AllocsPerRun(100, func() {
			raw, args, err := sio.SplitEvent(&p, buf[:0])
			if err != nil || !sio.EventNameIs(raw, c.name) || args.Len() != 3 {
				t.Fatal("split failed")
			}
		}); n != 0 {
			t.Errorf("SplitEvent + EventNameIs of %s: %v allocations, want 0", c.text, n)
		}
	}
}

func TestArgsRaw(t *testing.T) {
	_, args := decodeEvent(t, `2["chat", {"b":1, "a":"<&>"} ,[1,2],"x",null,true]`)
	want := []string{`{"b":1, "a":"<&>"}`, `[1,2]`, `"x"`, `null`, `true`}
	if args.Len() != len(want) {
		t.Fatalf("Len %d", args.Len())
	}
	for i, w := range want {
		if string(args.Raw(i)) != w || string(args.All()[i]) != w {
			t.Errorf("Raw(%d) = %s, want %s", i, args.Raw(i), w)
		}
	}
	if args.Raw(-1) != nil || args.Raw(5) != nil {
		t.Error("Raw out of range")
	}
	if s := args.Slice(3); s.Len() != 2 || string(s.Raw(0)) != "null" {
		t.Errorf("Slice(3) = %v", s.All())
	}
	if args.Slice(9).Len() != 0 || args.Slice(-1).Len() != 5 {
		t.Error("Slice out of range")
	}
	var m map[string]any
	if err := args.Decode(0, &m); err != nil || m["a"] != "<&>" {
		t.Errorf("Decode map: %v %v", m, err)
	}
	var r json.RawMessage
	if err := args.Decode(0, &r); err != nil || string(r) != want[0] {
		t.Errorf("Decode raw: %s %v", r, err)
	}
	if err := args.Decode(5, &r); err == nil {
		t.Error("Decode out of range")
	}
	var n int
	if err := args.Decode(2, &n); err == nil {
		t.Error("Decode string into int")
	}
}

func TestArgsDecodeStruct(t *testing.T) {
	_, args := decodeEvent(t, `2["chat",{"text":"hi","n":3}]`)
	var msg struct {
		Text string `json:"text"`
		N    int    `json:"n"`
	}
	if err := args.Decode(0, &msg); err != nil || msg.Text != "hi" || msg.N != 3 {
		t.Fatalf("%+v %v", msg, err)
	}
}

func TestArgsAttachments(t *testing.T) {
	_, args := decodeEvent(t,
		`53-["upload",`+ph0+`,{"name":"f","data":`+ph1+`,"parts":[{"_placeholder":true,"num":2}]},[`+ph1+`]]`,
		"\x01\x02", "\x03", "")
	var b []byte
	if err := args.Decode(0, &b); err != nil || !bytes.Equal(b, []byte{1, 2}) {
		t.Fatalf("*[]byte: %v %v", b, err)
	}
	var file struct {
		Name  string   `json:"name"`
		Data  []byte   `json:"data"`
		Parts [][]byte `json:"parts"`
	}
	if err := args.Decode(1, &file); err != nil || file.Name != "f" || !bytes.Equal(file.Data, []byte{3}) || len(file.Parts) != 1 || len(file.Parts[0]) != 0 {
		t.Fatalf("struct with []byte fields: %+v %v", file, err)
	}
	var list [][]byte
	if err := args.Decode(2, &list); err != nil || len(list) != 1 || !bytes.Equal(list[0], []byte{3}) {
		t.Fatalf("[][]byte: %v %v", list, err)
	}
	vals, err := args.Values()
	if err != nil {
		t.Fatal(err)
	}
	want := []any{
		[]byte{1, 2},
		map[string]any{"name": "f", "data": []byte{3}, "parts": []any{[]byte{}}},
		[]any{[]byte{3}},
	}
	if !reflect.DeepEqual(vals, want) {
		t.Fatalf("Values = %#v, want %#v", vals, want)
	}
	if got := args.Attachments(); len(got) != 3 {
		t.Fatalf("Attachments %d", len(got))
	}
	var r json.RawMessage
	if err := args.Decode(0, &r); err != nil || string(r) != ph0 {
		t.Fatalf("raw placeholder %s %v", r, err)
	}
}

func TestArgsBadPlaceholder(t *testing.T) {
	// Args over a packet whose placeholders were not checked (built by hand).
	p := sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(`["a",{"_placeholder":true,"num":4},[{"_placeholder":true}]]`), Attachments: [][]byte{{1}}}
	_, args, err := sio.ParseEvent(&p)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	if err := args.Decode(0, &b); !errors.Is(err, sio.ErrInvalidPacket) {
		t.Errorf("*[]byte: %v", err)
	}
	var x any
	if err := args.Decode(1, &x); !errors.Is(err, sio.ErrInvalidPacket) {
		t.Errorf("*any: %v", err)
	}
	var s struct{ A []byte }
	if err := args.Decode(0, &s); !errors.Is(err, sio.ErrInvalidPacket) {
		t.Errorf("struct: %v", err)
	}
	if _, err := args.Values(); !errors.Is(err, sio.ErrInvalidPacket) {
		t.Errorf("Values: %v", err)
	}
}

func TestParseEventInvalid(t *testing.T) {
	for _, d := range []string{``, `[]`, `{}`, `[null]`, `[{}]`, `[,]`, `[}}`, `["a"`, `["a"]]`, `["a" "b"]`, `[tru`, `"x"`, `["\"]`} {
		p := sio.Packet{Type: sio.Event, Data: json.RawMessage(d)}
		if _, _, err := sio.ParseEvent(&p); !errors.Is(err, sio.ErrInvalidPacket) {
			t.Errorf("ParseEvent(%s) = %v", d, err)
		}
	}
}

func TestParseArgs(t *testing.T) {
	for d, n := range map[string]int{`[]`: 0, `[1]`: 1, `[1,"a",{"b":[2]}]`: 3, ` [ ] `: 0, ``: 0, `{}`: 0, `[1,`: 0} {
		p := sio.Packet{Type: sio.Ack, Data: json.RawMessage(d)}
		if got := sio.ParseArgs(&p).Len(); got != n {
			t.Errorf("ParseArgs(%s).Len() = %d, want %d", d, got, n)
		}
	}
	a := sio.RawArgs(json.RawMessage(`1`), json.RawMessage(`"x"`))
	var s string
	if a.Len() != 2 || a.Decode(1, &s) != nil || s != "x" {
		t.Errorf("RawArgs: %v", a.All())
	}
}

func TestArgsDecodeString(t *testing.T) {
	for raw, want := range map[string]string{
		`"plain"`: "plain", `"é😀"`: "é😀", `"a\nb\u00e9\""`: "a\nb\u00e9\"", "\"bad\xffutf8\"": "bad\uFFFDutf8", `""`: "",
	} {
		var s string
		if err := sio.RawArgs(json.RawMessage(raw)).Decode(0, &s); err != nil || s != want {
			t.Errorf("Decode(%s) = %q, %v; want %q", raw, s, err, want)
		}
		var std string
		if err := json.Unmarshal([]byte(raw), &std); err != nil || std != want {
			t.Errorf("json.Unmarshal(%s) = %q, %v", raw, std, err)
		}
	}
	for _, raw := range []string{`1`, `null`, `{}`, `"\x"`, `"a`} {
		s := "unchanged"
		err := sio.RawArgs(json.RawMessage(raw)).Decode(0, &s)
		stdS := "unchanged"
		stdErr := json.Unmarshal([]byte(raw), &stdS)
		if (err == nil) != (stdErr == nil) || s != stdS {
			t.Errorf("Decode(%s) = %q, %v; json.Unmarshal %q, %v", raw, s, err, stdS, stdErr)
		}
	}
}

// Found by FuzzSIODecoder: a valid packet whose number does not fit a float64.
func TestArgsNumberOutOfRange(t *testing.T) {
	p, err := sio.DecodeText([]byte(`3[1e400,"x"]`), 0)
	if err != nil {
		t.Fatal(err)
	}
	args := sio.ParseArgs(&p)
	if _, err := args.Values(); err == nil {
		t.Fatal("Values of 1e400: no error")
	}
	var s string
	if err := args.Decode(1, &s); err != nil || s != "x" {
		t.Fatalf("other arguments still decode: %q %v", s, err)
	}
	if string(args.Raw(0)) != "1e400" {
		t.Fatalf("Raw(0) = %s", args.Raw(0))
	}
}
