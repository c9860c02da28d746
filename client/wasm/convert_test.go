//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/hack-pad/safejs"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestGoArgsPlain(t *testing.T) {
	args, err := goArgs([]string{`1`, `"x"`, `{"b":2,"a":[true,null]}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, att, err := sio.MarshalArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	// Without binary the JSON crosses verbatim (key order kept).
	if string(data) != `[1,"x",{"b":2,"a":[true,null]}]` || att != nil {
		t.Fatalf("got %s %v", data, att)
	}
}

func TestGoArgsBinary(t *testing.T) {
	bufs := [][]byte{{1, 2}, {3}}
	args, err := goArgs([]string{`{"_placeholder":true,"num":1}`, `{"k":[{"_placeholder":true,"num":0}],"n":12345678901234567890}`}, bufs)
	if err != nil {
		t.Fatal(err)
	}
	data, att, err := sio.MarshalArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"_placeholder":true,"num":0},{"k":[{"_placeholder":true,"num":1}],"n":12345678901234567890}]`
	if string(data) != want {
		t.Fatalf("got  %s\nwant %s", data, want)
	}
	if len(att) != 2 || !bytes.Equal(att[0], []byte{3}) || !bytes.Equal(att[1], []byte{1, 2}) {
		t.Fatalf("attachments %v", att)
	}
}

func TestGoArgsBinaryKeyOrder(t *testing.T) {
	args, err := goArgs([]string{`"x"`, `{"z":1,"a":{"_placeholder":true,"num":0}}`, `{"_placeholder":true,"num":1}`}, [][]byte{{1}, {2}})
	if err != nil {
		t.Fatal(err)
	}
	data, att, err := sio.MarshalArgs(args...)
	if err != nil {
		t.Fatal(err)
	}
	// With binary too the JSON crosses verbatim (keys not sorted).
	if want := `["x",{"z":1,"a":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]`; string(data) != want {
		t.Fatalf("got  %s\nwant %s", data, want)
	}
	if len(att) != 2 || att[0][0] != 1 || att[1][0] != 2 {
		t.Fatalf("attachments %v", att)
	}
}

func TestGoArgsBad(t *testing.T) {
	for _, c := range []struct {
		text []string
		bufs [][]byte
	}{
		{[]string{`{"a":1`}, nil},
		{[]string{`[`}, nil},
		{[]string{`1`, ``}, nil},
		{[]string{`1 2`}, nil},
		{[]string{`{"_placeholder":true,"num":2}`}, [][]byte{{1}}},
		{[]string{`{"_placeholder":true,"num":-1}`}, [][]byte{{1}}},
		{[]string{`{"_placeholder":true,"num":"0"}`}, [][]byte{{1}}},
	} {
		if _, err := goArgs(c.text, c.bufs); !errors.Is(err, errBadArgs) {
			t.Errorf("%q: err %v, want errBadArgs", c.text, err)
		}
	}
}

func TestJSBytesRoundTrip(t *testing.T) {
	v, err := newJSValues()
	if err != nil {
		t.Fatal(err)
	}
	in := [][]byte{{}, {0, 255, 7}, bytes.Repeat([]byte{9}, 1000)}
	arr, err := v.jsBytes(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := goBytes(arr.(safejs.Value))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d buffers, want %d", len(out), len(in))
	}
	for i := range in {
		if !bytes.Equal(in[i], out[i]) {
			t.Fatalf("buffer %d differs", i)
		}
	}
	if none, err := v.jsBytes(nil); none != nil || err != nil {
		t.Fatalf("no attachments: %v, %v; want nil (null in JavaScript)", none, err)
	}
}

func TestJSEvent(t *testing.T) {
	p, err := sio.NewEvent("/", "e\"\u2028\n\x01\xff", "a", []byte{1}, json.RawMessage(`{"z":1,"a":2}`))
	if err != nil {
		t.Fatal(err)
	}
	name, a, err := sio.ParseEvent(&p)
	if err != nil {
		t.Fatal(err)
	}
	text := jsEvent(nil, name, a)
	// U+2028 may stay raw (JSON.parse takes it); \xff was U+FFFD once parsed.
	if want := "[\"e\\\"\u2028\\n\\u0001\ufffd\",\"a\",{\"_placeholder\":true,\"num\":0},{\"z\":1,\"a\":2}]"; string(text) != want {
		t.Fatalf("text %s\nwant %s", text, want)
	}
	var back []any
	if err := json.Unmarshal(text, &back); err != nil || back[0] != name {
		t.Fatalf("not JSON, or the name differs: %v %q", err, back)
	}
	if got := jsArgs(a); got != `["a",{"_placeholder":true,"num":0},{"z":1,"a":2}]` {
		t.Fatalf("jsArgs %s", got)
	}
}

func TestTextBuffer(t *testing.T) {
	v, err := newJSValues()
	if err != nil {
		t.Fatal(err)
	}
	var tb textBuffer
	read := func(u8 safejs.Value, n int) string {
		b := make([]byte, n)
		if _, err := safejs.CopyBytesToGo(b, u8); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, err := tb.copy(v, []byte(`["a"]`))
	if err != nil || read(a, 5) != `["a"]` {
		t.Fatalf("first copy: %v", err)
	}
	b, err := tb.copy(v, []byte(`["b",1]`))
	if err != nil || read(b, 7) != `["b",1]` {
		t.Fatalf("second copy: %v", err)
	}
	if !a.Equal(b) {
		t.Error("a small event got a new buffer")
	}
	big := bytes.Repeat([]byte("x"), textBufferMax+1)
	c, err := tb.copy(v, big)
	if err != nil || read(c, len(big)) != string(big) {
		t.Fatalf("large copy: %v", err)
	}
	d, err := tb.copy(v, []byte(`[]`))
	if err != nil || tb.cap > textBufferMax {
		t.Fatalf("after a large event the buffer stays %d bytes (%v)", tb.cap, err)
	}
	_ = d
}
