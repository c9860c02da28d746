package sio_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

func TestRawWithAttachments(t *testing.T) {
	a, b := []byte{1}, []byte{2, 2}
	cases := []struct {
		name string
		args []any
		want string
		att  [][]byte
	}{
		{"key order kept", []any{sio.RawWithAttachments{JSON: []byte(`{"z":1,"a":{"_placeholder":true,"num":0}}`), Attachments: [][]byte{a}}},
			`["ev",{"z":1,"a":{"_placeholder":true,"num":0}}]`, [][]byte{a}},
		{"renumbered after earlier attachments", []any{b, sio.RawWithAttachments{JSON: []byte(`[{"num":1,"_placeholder":true},{"_placeholder":true,"num":0}]`), Attachments: [][]byte{a, b}}},
			`["ev",{"_placeholder":true,"num":0},[{"num":1,"_placeholder":true},{"_placeholder":true,"num":2}]]`, [][]byte{b, b, a}},
		{"one attachment per placeholder, in text order, unused ones left out", []any{sio.RawWithAttachments{JSON: []byte(`[{"_placeholder":true,"num":1},{"_placeholder":true,"num":1}]`), Attachments: [][]byte{a, b}}},
			`["ev",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`, [][]byte{b, b}},
		{"placeholders inside a placeholder are gone", []any{sio.RawWithAttachments{JSON: []byte(`{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":1}}`), Attachments: [][]byte{a, b}}},
			`["ev",{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":1}}]`, [][]byte{a}},
		{"nested in []any, nil attachment, number spelling", []any{[]any{sio.RawWithAttachments{JSON: []byte(` {"_placeholder":true,"num":0e0} `), Attachments: [][]byte{nil}}}},
			`["ev",[ {"_placeholder":true,"num":0} ]]`, [][]byte{{}}},
		{"no placeholder", []any{sio.RawWithAttachments{JSON: []byte(`{"b":[],"a":"x"}`)}}, `["ev",{"b":[],"a":"x"}]`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, att, err := sio.MarshalEvent("ev", c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != c.want || !slices.EqualFunc(att, c.att, slices.Equal) {
				t.Fatalf("got %s %v, want %s %v", data, att, c.want, c.att)
			}
		})
	}
	for _, bad := range []sio.RawWithAttachments{
		{JSON: []byte(`{"a":`)},
		{JSON: nil},
		{JSON: []byte(`{"_placeholder":true,"num":1}`), Attachments: [][]byte{a}},
		{JSON: []byte(`[{"_placeholder":true}]`), Attachments: [][]byte{a}},
	} {
		if _, _, err := sio.MarshalArgs(bad); !errors.Is(err, sio.ErrUnsupportedValue) {
			t.Errorf("MarshalArgs(%s): %v", bad.JSON, err)
		}
	}
}

// An argument with binary already encoded elsewhere (here by JavaScript):
// its keys keep their order, which a map[string]any would sort.
func ExampleRawWithAttachments() {
	arg := sio.RawWithAttachments{
		JSON:        []byte(`{"z":1,"a":{"_placeholder":true,"num":0}}`),
		Attachments: [][]byte{{0xca, 0xfe}},
	}
	p, err := sio.NewEvent("/", "upload", arg)
	if err != nil {
		panic(err)
	}
	for _, f := range p.Encode() {
		fmt.Printf("binary=%v %q\n", f.Binary, f.Data)
	}
	// Output:
	// binary=false "51-[\"upload\",{\"z\":1,\"a\":{\"_placeholder\":true,\"num\":0}}]"
	// binary=true "\xca\xfe"
}
