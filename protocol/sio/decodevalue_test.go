package sio_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

// argsOf encodes v as the only argument of an event and decodes it back, as
// a receiver sees it.
func argsOf(t *testing.T, v any) sio.Args {
	t.Helper()
	p, err := sio.NewEvent("/", "ev", v)
	if err != nil {
		t.Fatal(err)
	}
	var d sio.Decoder
	var got sio.Packet
	for _, f := range p.Encode() {
		if got, _, err = d.Decode(f); err != nil {
			t.Fatal(err)
		}
	}
	_, args, err := sio.ParseEvent(&got)
	if err != nil {
		t.Fatal(err)
	}
	return args
}

type withAny struct {
	X any
}

type deepAny struct {
	Name  string             `json:"name"`
	P     *withAny           `json:"p"`
	L     []any              `json:"l"`
	M     map[string]withAny `json:"m"`
	IntM  map[int]any        `json:"intm"`
	A     [2]any             `json:"a"`
	Typed []byte             `json:"typed"`
	Big   int64              `json:"big"`
	*Emb
}

type Emb struct{ E any }

// TestArgsDecodeBinaryAnyDepth: an attachment decodes as []byte into an
// interface at any depth, and into a []byte where there is one.
func TestArgsDecodeBinaryAnyDepth(t *testing.T) {
	b1, b2, b3, b4, b5, b6, b7 := []byte{1}, []byte{2}, []byte{3}, []byte{4}, []byte{5}, []byte{6}, []byte{7}
	t.Run("map[string]any", func(t *testing.T) {
		args := argsOf(t, map[string]any{"hello": "lol", "message": b1, "goodbye": "gotcha", "deep": []any{map[string]any{"b": b2}}})
		var m map[string]any
		if err := args.Decode(0, &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"hello": "lol", "message": b1, "goodbye": "gotcha", "deep": []any{map[string]any{"b": b2}}}
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("got %#v", m)
		}
	})
	t.Run("struct{X any}", func(t *testing.T) {
		var s withAny
		if err := argsOf(t, withAny{b1}).Decode(0, &s); err != nil || !reflect.DeepEqual(s.X, b1) {
			t.Fatalf("%#v %v", s, err)
		}
	})
	t.Run("[]any", func(t *testing.T) {
		var l []any
		if err := argsOf(t, []any{"a", b1, []any{b2}}).Decode(0, &l); err != nil || !reflect.DeepEqual(l, []any{"a", b1, []any{b2}}) {
			t.Fatalf("%#v %v", l, err)
		}
	})
	t.Run("nested", func(t *testing.T) {
		in := deepAny{
			Name:  "n",
			P:     &withAny{b1},
			L:     []any{b2, "s", 1.5},
			M:     map[string]withAny{"k": {b3}, "plain": {"v"}},
			IntM:  map[int]any{7: b4},
			A:     [2]any{nil, b5},
			Typed: b6,
			Big:   1<<60 + 1, // beyond float64: the attachments must not cost precision
			Emb:   &Emb{b7},
		}
		var got deepAny
		if err := argsOf(t, in).Decode(0, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, in) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(in)
			t.Fatalf("got  %s\nwant %s", gj, wj)
		}
	})
	t.Run("keys matched as encoding/json does", func(t *testing.T) {
		var s struct {
			Message any
			Other   any `json:"other"`
		}
		if err := argsOf(t, map[string]any{"message": b1, "OTHER": b2}).Decode(0, &s); err != nil ||
			!reflect.DeepEqual(s.Message, b1) || !reflect.DeepEqual(s.Other, b2) {
			t.Fatalf("%#v %v", s, err)
		}
	})
	t.Run("pointer in an interface", func(t *testing.T) {
		// encoding/json decodes into what the pointer points to.
		var target withAny
		s := withAny{X: &target}
		if err := argsOf(t, withAny{withAny{b1}}).Decode(0, &s); err != nil || s.X != &target || !reflect.DeepEqual(target.X, b1) {
			t.Fatalf("%#v %#v %v", s, target, err)
		}
	})
	t.Run("*any", func(t *testing.T) {
		var x any
		if err := argsOf(t, map[string]any{"a": []any{b1}}).Decode(0, &x); err != nil || !reflect.DeepEqual(x, map[string]any{"a": []any{b1}}) {
			t.Fatalf("%#v %v", x, err)
		}
	})
	t.Run("string field gets base64", func(t *testing.T) {
		// As encoding/json would decode the reference's base64 fallback.
		var s struct{ S string }
		if err := argsOf(t, struct{ S []byte }{[]byte("hi")}).Decode(0, &s); err != nil || s.S != "aGk=" {
			t.Fatalf("%#v %v", s, err)
		}
	})
}
