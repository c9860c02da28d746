package sio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

type inner struct {
	A   int `json:"a"`
	Any any `json:"any,omitempty"`
}

type named struct{ N any }

type unexportedInner struct {
	U string
	X any
}

type ptrMarshaler struct{ V any }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }

type valMarshaler struct{ V any }

func (valMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{"val":1}`), nil }

type textKey struct{ k string }

func (t textKey) MarshalText() ([]byte, error) { return []byte("k:" + t.k), nil }

type zeroer struct{ V any }

func (z zeroer) IsZero() bool { return z.V == nil }

type ambiguous1 struct{ Dup any }
type ambiguous2 struct{ Dup any }

// The same struct embedded twice at one depth: its fields are ambiguous.
type dupLeaf struct{ Leaf any }
type viaA struct{ dupLeaf }
type viaB struct{ dupLeaf }

// wide exercises encoding/json's struct rules with interface fields, which
// the attachment walk writes itself.
type wide struct {
	inner
	*named
	unexportedInner
	ambiguous1
	ambiguous2
	viaA
	viaB
	Tagged inner `json:"tagged"`
	Skip   any   `json:"-"`
	//lint:ignore SA5008 the odd tag is the case under test (encoding/json names the field "-")
	Dash   any     `json:"-,"`
	Omit   any     `json:",omitempty"`
	OmitS  []any   `json:"omits,omitempty"`
	OmitZ  zeroer  `json:"omitz,omitzero"`
	OmitZ2 zeroer  `json:"omitz2,omitzero"`
	Str    int     `json:"str,string"`
	StrP   *string `json:"strp,string"`
	StrS   string  `json:",string"`
	//lint:ignore SA5008 the malformed tag is the case under test (encoding/json falls back to the field name)
	Bad     any              `json:"bad\"name"`
	Ptr     *inner           `json:"ptr"`
	NilPtr  *inner           `json:"nilptr"`
	Arr     [2]any           `json:"arr"`
	IntKeys map[int]any      `json:"intkeys"`
	TextKey map[textKey]any  `json:"textkeys"`
	NilMap  map[string]any   `json:"nilmap"`
	PM      ptrMarshaler     `json:"pm"`
	VM      valMarshaler     `json:"vm"`
	Time    time.Time        `json:"time"`
	Num     json.Number      `json:"num"`
	Raw     json.RawMessage  `json:"raw"`
	Slice   []map[string]any `json:"slice"`
	unexp   any
	Bytes4  [4]byte `json:"bytes4"`
}

func wideValue() wide {
	s := "quoted"
	return wide{
		inner:           inner{A: 1, Any: []any{"x", 2.5, nil}},
		named:           &named{N: map[string]any{"k": true}},
		unexportedInner: unexportedInner{U: "u", X: "x"},
		ambiguous1:      ambiguous1{Dup: 1},
		ambiguous2:      ambiguous2{Dup: 2},
		viaA:            viaA{dupLeaf{1}},
		viaB:            viaB{dupLeaf{2}},
		Tagged:          inner{A: 2, Any: map[string]any{"z": 1, "a": "<&>"}},
		Skip:            "skipped",
		Dash:            "dash",
		OmitZ2:          zeroer{V: 3},
		Str:             42,
		StrP:            &s,
		StrS:            `a"b`,
		Bad:             "bad tag",
		Ptr:             &inner{A: 3},
		Arr:             [2]any{1, "two"},
		IntKeys:         map[int]any{10: "ten", 2: "two", -1: nil},
		TextKey:         map[textKey]any{{"b"}: 1, {"a"}: 2},
		PM:              ptrMarshaler{V: 1},
		VM:              valMarshaler{V: 1},
		Time:            time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Num:             "12345678901234567890",
		Raw:             json.RawMessage(`{"b":1,"a":2}`),
		Slice:           []map[string]any{{"s": []any{}}, nil},
		unexp:           "hidden",
		Bytes4:          [4]byte{1, 2, 3, 4},
	}
}

// TestMarshalLikeEncodingJSON: a value whose type may hold binary is written
// field by field; without binary in it, the bytes are encoding/json's.
func TestMarshalLikeEncodingJSON(t *testing.T) {
	w := wideValue()
	type withIface struct {
		W any `json:"w"`
	}
	cases := []any{
		w, &w, []wide{w}, map[string]wide{"k": w}, withIface{w}, withIface{&w},
		map[string]*wide{"nil": nil}, []any{w}, struct{ P *ptrMarshaler }{&ptrMarshaler{}},
		[]ptrMarshaler{{}}, // slice elements are addressable: the pointer method
		struct{ I any }{}, struct{ M map[string]any }{map[string]any{}},
	}
	for _, v := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		got, att, err := sio.MarshalArgs(v)
		if err != nil {
			t.Errorf("%T: %v", v, err)
			continue
		}
		if w := "[" + strings.TrimSuffix(want.String(), "\n") + "]"; string(got) != w || att != nil {
			t.Errorf("%T:\n got %s (%d attachments)\nwant %s", v, got, len(att), w)
		}
	}
}

type blob []byte

type file struct {
	Name  string   `json:"name"`
	Data  []byte   `json:"data"`
	Parts [][]byte `json:"parts,omitempty"`
	Meta  any      `json:"meta,omitempty"`
}

type selfMarshaled struct{ B []byte }

func (selfMarshaled) MarshalJSON() ([]byte, error) { return []byte(`"own"`), nil }

func TestMarshalBinaryShapes(t *testing.T) {
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	type node struct {
		B    []byte
		Next *node
	}
	cases := []struct {
		name string
		v    any
		want string
		att  [][]byte
	}{
		{"struct", file{Name: "f", Data: []byte{1}}, `{"name":"f","data":` + ph("0") + `}`, [][]byte{{1}}},
		{"struct nil []byte", file{Name: "f"}, `{"name":"f","data":` + ph("0") + `}`, [][]byte{{}}},
		{"struct parts and any", &file{Data: []byte{1}, Parts: [][]byte{{2}, {3}}, Meta: []byte{4}},
			`{"name":"","data":` + ph("0") + `,"parts":[` + ph("1") + `,` + ph("2") + `],"meta":` + ph("3") + `}`, [][]byte{{1}, {2}, {3}, {4}}},
		{"map of []byte", map[string][]byte{"b": {2}, "a": {1}}, `{"a":` + ph("0") + `,"b":` + ph("1") + `}`, [][]byte{{1}, {2}}},
		{"map of structs", map[string]file{"x": {Data: []byte{9}}}, `{"x":{"name":"","data":` + ph("0") + `}}`, [][]byte{{9}}},
		{"slice of []byte", [][]byte{{1}, nil}, `[` + ph("0") + `,` + ph("1") + `]`, [][]byte{{1}, {}}},
		{"array of []byte", [2][]byte{{1}, {2}}, `[` + ph("0") + `,` + ph("1") + `]`, [][]byte{{1}, {2}}},
		{"nil slice of []byte", [][]byte(nil), `null`, nil},
		{"named byte slice", blob{5}, ph("0"), [][]byte{{5}}},
		{"pointer to []byte", &[]byte{6}, ph("0"), [][]byte{{6}}},
		{"struct{X any}", struct{ X any }{[]byte{7}}, `{"X":` + ph("0") + `}`, [][]byte{{7}}},
		{"[]any in struct", struct{ L []any }{[]any{"a", []byte{8}}}, `{"L":["a",` + ph("0") + `]}`, [][]byte{{8}}},
		{"byte array is numbers", struct{ A [2]byte }{[2]byte{1, 2}}, `{"A":[1,2]}`, nil},
		{"RawMessage is JSON", struct{ R json.RawMessage }{json.RawMessage(`[1]`)}, `{"R":[1]}`, nil},
		{"MarshalJSON wins", struct{ S selfMarshaled }{selfMarshaled{[]byte{1}}}, `{"S":"own"}`, nil},
		{"omitempty []byte", struct {
			B []byte `json:"b,omitempty"`
		}{}, `{}`, nil},
		{"RawWithAttachments in a struct", struct {
			First []byte
			R     sio.RawWithAttachments
		}{[]byte{1}, sio.RawWithAttachments{JSON: []byte(`{"x":` + ph("0") + `}`), Attachments: [][]byte{{2}}}},
			`{"First":` + ph("0") + `,"R":{"x":` + ph("1") + `}}`, [][]byte{{1}, {2}}},
		{"list", &node{B: []byte{1}, Next: &node{B: []byte{2}}}, `{"B":` + ph("0") + `,"Next":{"B":` + ph("1") + `,"Next":null}}`, [][]byte{{1}, {2}}},
	}
	for _, c := range cases {
		got, att, err := sio.MarshalArgs(c.v)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(got) != "["+c.want+"]" || !reflect.DeepEqual(att, c.att) {
			t.Errorf("%s:\n got %s %v\nwant [%s] %v", c.name, got, att, c.want, c.att)
		}
	}
}

func TestMarshalCycle(t *testing.T) {
	type node struct {
		B    []byte
		Next *node
	}
	n := &node{}
	n.Next = n
	m := map[string]any{}
	m["m"] = m
	s := []any{nil}
	s[0] = s
	for _, v := range []any{n, m, s} {
		if _, _, err := sio.MarshalArgs(v); !errors.Is(err, sio.ErrUnsupportedValue) {
			t.Errorf("%T: %v", v, err)
		}
	}
	// Deep but finite is fine.
	deep := any([]byte{1})
	for range 1000 {
		deep = map[string]any{"d": deep}
	}
	if _, att, err := sio.MarshalArgs(deep); err != nil || len(att) != 1 {
		t.Errorf("deep: %v, %d attachments", err, len(att))
	}
}

func TestMarshalUnsupportedInStruct(t *testing.T) {
	for _, v := range []any{
		struct{ X any }{make(chan int)},
		struct{ M map[[2]int]any }{map[[2]int]any{{1, 2}: []byte{1}}},
		struct {
			X any
			F float64
		}{nil, math.NaN()},
	} {
		if _, _, err := sio.MarshalArgs(v); !errors.Is(err, sio.ErrUnsupportedValue) {
			t.Errorf("%#v: %v", v, err)
		}
	}
}
