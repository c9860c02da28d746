package sio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

func TestMarshalEvent(t *testing.T) {
	type msg struct {
		Text string `json:"text"`
		HTML string `json:"html"`
		Blob []byte `json:"blob"`
	}
	cases := []struct {
		args []any
		want string
		att  [][]byte
	}{
		{nil, `["ev"]`, nil},
		{[]any{"hello", 1, int64(-2), int32(3), uint64(4), 1.5, float32(0.25), true, false, nil}, `["ev","hello",1,-2,3,4,1.5,0.25,true,false,null]`, nil},
		{[]any{math.Copysign(0, -1), float32(math.Copysign(0, -1)), 1e21, 1e-7, 0.1, float32(0.1)}, `["ev",0,0,1e+21,1e-7,0.1,0.1]`, nil},
		{[]any{"<>&", "\u2028\u2029", "\x00\x1f\x7f", "\b\f\n\r\t\"\\/"}, `["ev","<>&","` + "\u2028\u2029" + `","\u0000\u001f` + "\x7f" + `","\b\f\n\r\t\"\\/"]`, nil},
		{[]any{"bad\xffutf8\xc3"}, `["ev","bad` + "\uFFFD" + `utf8` + "\uFFFD" + `"]`, nil},
		{[]any{json.RawMessage(`{"b":1,"a":"<\u0026>"}`), json.RawMessage(nil)}, `["ev",{"b":1,"a":"<\u0026>"},null]`, nil},
		{[]any{map[string]any{"b": 1, "a": []any{"x", nil}}}, `["ev",{"a":["x",null],"b":1}]`, nil},
		{[]any{[]any(nil), map[string]any(nil), []string(nil), map[string]int(nil), []any{}, map[string]any{}}, `["ev",null,null,null,null,[],{}]`, nil},
		{[]any{math.NaN(), math.Inf(1), math.Inf(-1), float32(math.NaN()), []any{math.NaN()}}, `["ev",null,null,null,null,[null]]`, nil},
		{[]any{msg{Text: "<hi>", HTML: "&", Blob: []byte{1}}}, `["ev",{"text":"<hi>","html":"&","blob":` + ph0 + `}]`, [][]byte{{1}}},
		{[]any{[]byte{1, 2}}, `["ev",` + ph0 + `]`, [][]byte{{1, 2}}},
		{[]any{[]byte(nil)}, `["ev",` + ph0 + `]`, [][]byte{{}}},
		{[]any{"x", map[string]any{"f": []byte{3}, "a": []any{[]byte{4}}}}, `["ev","x",{"a":[` + ph0 + `],"f":` + ph1 + `}]`, [][]byte{{4}, {3}}},
	}
	for _, c := range cases {
		data, att, err := sio.MarshalEvent("ev", c.args...)
		if err != nil {
			t.Errorf("MarshalEvent(%#v): %v", c.args, err)
			continue
		}
		if string(data) != c.want {
			t.Errorf("MarshalEvent(%#v)\n got %s\nwant %s", c.args, data, c.want)
		}
		if len(att) != len(c.att) || (c.att == nil) != (att == nil) {
			t.Errorf("MarshalEvent(%#v): attachments %v, want %v", c.args, att, c.att)
			continue
		}
		for i := range att {
			if !bytes.Equal(att[i], c.att[i]) || att[i] == nil {
				t.Errorf("attachment %d = %v, want %v", i, att[i], c.att[i])
			}
		}
		if !json.Valid(data) {
			t.Errorf("invalid JSON %s", data)
		}
	}
}

func TestMarshalEventErrors(t *testing.T) {
	for _, name := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		if _, _, err := sio.MarshalEvent(name); !errors.Is(err, sio.ErrReservedEvent) {
			t.Errorf("MarshalEvent(%q): %v", name, err)
		}
		if _, err := sio.NewEvent("/", name); !errors.Is(err, sio.ErrReservedEvent) {
			t.Errorf("NewEvent(%q): %v", name, err)
		}
		if !sio.IsReserved(name) {
			t.Errorf("IsReserved(%q) = false", name)
		}
	}
	if sio.IsReserved("Connect") || sio.IsReserved("message") {
		t.Error("IsReserved too wide")
	}
	for _, v := range []any{make(chan int), func() {}, struct{ F float64 }{math.NaN()}, []any{make(chan int)}, map[string]any{"k": complex(1, 2)}} {
		if _, _, err := sio.MarshalEvent("ev", v); !errors.Is(err, sio.ErrUnsupportedValue) {
			t.Errorf("MarshalEvent(%T): %v", v, err)
		}
		if _, _, err := sio.MarshalArgs(v); !errors.Is(err, sio.ErrUnsupportedValue) {
			t.Errorf("MarshalArgs(%T): %v", v, err)
		}
	}
}

func TestNewEventAndAck(t *testing.T) {
	cases := []struct {
		pkt  func() (sio.Packet, error)
		want string
		n    int
	}{
		{func() (sio.Packet, error) { return sio.NewEvent("/", "chat", "hello") }, `2["chat","hello"]`, 1},
		{func() (sio.Packet, error) { return sio.NewEvent("", "chat") }, `2["chat"]`, 1},
		{func() (sio.Packet, error) { return sio.NewEvent("/admin", "chat", []byte{1}) }, `51-/admin,["chat",` + ph0 + `]`, 2},
		{func() (sio.Packet, error) {
			p, err := sio.NewEvent("/admin", "q")
			return p.WithID(0), err
		}, `2/admin,0["q"]`, 1},
		{func() (sio.Packet, error) { return sio.NewAck("/", 12) }, `312[]`, 1},
		{func() (sio.Packet, error) { return sio.NewAck("/", 0, "ok") }, `30["ok"]`, 1},
		{func() (sio.Packet, error) { return sio.NewAck("/admin", 13, "bar") }, `3/admin,13["bar"]`, 1},
		{func() (sio.Packet, error) { return sio.NewAck("/", 15, "bar", []byte{1}) }, `61-15["bar",` + ph0 + `]`, 2},
	}
	for _, c := range cases {
		p, err := c.pkt()
		if err != nil {
			t.Errorf("%s: %v", c.want, err)
			continue
		}
		frames := p.Encode()
		if string(frames[0].Data) != c.want || len(frames) != c.n {
			t.Errorf("got %s (%d frames), want %s (%d)", frames[0].Data, len(frames), c.want, c.n)
		}
	}
}

// MarshalEvent output decodes back to the same arguments.
func TestMarshalRoundTrip(t *testing.T) {
	in := []any{"s\u2028<>&\x01", 1.25, map[string]any{"k": []any{true, nil, "v"}}, []byte{0, 1, 255}}
	p, err := sio.NewEvent("/", "rt", in...)
	if err != nil {
		t.Fatal(err)
	}
	frames := p.Encode()
	var d sio.Decoder
	var got sio.Packet
	for _, f := range frames {
		var ok bool
		if got, ok, err = d.Decode(f); err != nil {
			t.Fatal(err)
		}
		_ = ok
	}
	name, args, err := sio.ParseEvent(&got)
	if err != nil || name != "rt" {
		t.Fatalf("%q %v", name, err)
	}
	vals, err := args.Values()
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"s\u2028<>&\x01", 1.25, map[string]any{"k": []any{true, nil, "v"}}, []byte{0, 1, 255}}
	if !jsonishEqual(vals, want) {
		t.Fatalf("got %#v, want %#v", vals, want)
	}
}

func jsonishEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// TestAppendArgs: AppendArgs writes MarshalArgs's array after dst's bytes.
func TestAppendArgs(t *testing.T) {
	args := []any{"a", 1, json.RawMessage(`{"x":[1]}`), []byte{1, 2}, nil}
	want, wantAtt, err := sio.MarshalArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	got, att, err := sio.AppendArgs([]byte("312"), args...)
	if err != nil || string(got) != "312"+string(want) || !reflect.DeepEqual(att, wantAtt) {
		t.Fatalf("AppendArgs = %s, %v, %v; want 312%s, %v", got, att, err, want, wantAtt)
	}
	if got, _, err := sio.AppendArgs([]byte("3"), func() {}); err == nil || got != nil {
		t.Fatalf("AppendArgs(func) = %s, %v", got, err)
	}
}

// TestAppendEvent: AppendEvent writes MarshalEvent's payload after dst's
// bytes and refuses what MarshalEvent refuses.
func TestAppendEvent(t *testing.T) {
	args := []any{"a", 1, []byte{1}}
	want, wantAtt, err := sio.MarshalEvent("ev", args...)
	if err != nil {
		t.Fatal(err)
	}
	got, att, err := sio.AppendEvent([]byte("2/x,"), "ev", args...)
	if err != nil || string(got) != "2/x,"+string(want) || !reflect.DeepEqual(att, wantAtt) {
		t.Fatalf("AppendEvent = %s, %v, %v; want 2/x,%s, %v", got, att, err, want, wantAtt)
	}
	if got, _, err := sio.AppendEvent([]byte("2"), "connect"); !errors.Is(err, sio.ErrReservedEvent) || got != nil {
		t.Fatalf("AppendEvent(connect) = %s, %v", got, err)
	}
}
