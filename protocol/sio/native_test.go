package sio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// stdJSON is what encoding/json's Encoder writes for v without HTML escaping,
// as the argument array of one.
func stdJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return "[" + strings.TrimSuffix(b.String(), "\n") + "]", nil
}

type textOnly struct{ s string }

func (t textOnly) MarshalText() ([]byte, error) { return []byte(t.s), nil }

type spacedMarshaler struct{}

func (spacedMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(" { \"a\" : [ 1 , \"x y\" ] } "), nil
}

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{`), nil }

type failMarshaler struct{}

var errFail = errors.New("fail")

func (failMarshaler) MarshalJSON() ([]byte, error) { return nil, errFail }

// TestNativeLikeEncodingJSON: the browser build's writer gives encoding/json's
// bytes for the values MarshalArgs hands to encoding/json natively.
func TestNativeLikeEncodingJSON(t *testing.T) {
	w := wideValue()
	f32 := float32(1e-7)
	cases := []any{
		w, &w, []wide{w}, map[string]wide{"k": w}, []ptrMarshaler{{}}, struct{ P *ptrMarshaler }{&ptrMarshaler{}},
		struct{ I any }{}, struct{ M map[string]any }{map[string]any{}},
		1.5, 1e21, 1e20, 1e-7, 123456789.125, -0.000001, float32(3.4e38), f32, float32(0.1), 5e-324, math.MaxFloat64,
		struct{ F float64 }{1e-9}, struct{ F float32 }{1e21},
		struct{ S string }{"a\"b\\c\n\r\t\b\f\x01\x1f\x7f <&> \u2028\u2029 é \xff\xfe end"},
		struct{ T textOnly }{textOnly{"t\"\u2028"}}, map[textOnly]int{{"b"}: 1, {"a"}: 2},
		struct{ M spacedMarshaler }{}, struct{ N json.Number }{"-1.5e3"}, struct{ N json.Number }{""},
		struct{ U uint8 }{255}, struct{ A [3]int }{[3]int{1, 2, 3}},
		struct{ P *int }{}, time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)), netip.MustParseAddr("::1"),
		struct {
			D time.Duration `json:"d,string"`
			B bool          `json:"b,string"`
		}{time.Second, true},
	}
	for _, v := range cases {
		want, err := stdJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		got, att, err := sio.MarshalArgsNative(v)
		if err != nil {
			t.Errorf("%T: %v", v, err)
			continue
		}
		if string(got) != want || att != nil {
			t.Errorf("%T:\n got %s (%d attachments)\nwant %s", v, got, len(att), want)
		}
	}
}

// TestNativeErrors: what encoding/json refuses, the browser build's writer
// refuses, as ErrUnsupportedValue.
func TestNativeErrors(t *testing.T) {
	for _, v := range []any{
		struct{ M badMarshaler }{}, struct{ M failMarshaler }{}, struct{ C chan int }{make(chan int)},
		struct{ F float64 }{math.NaN()}, struct{ F float32 }{float32(math.Inf(1))}, struct{ N json.Number }{"1x"},
		struct{ F func() }{func() {}}, struct{ C complex128 }{1i},
	} {
		if _, werr := stdJSON(v); werr == nil {
			t.Fatalf("%T: encoding/json accepts it", v)
		}
		_, _, err := sio.MarshalArgsNative(v)
		if !errors.Is(err, sio.ErrUnsupportedValue) {
			t.Errorf("%T: %v, want ErrUnsupportedValue", v, err)
		}
	}
	if _, _, err := sio.MarshalArgsNative(struct{ M failMarshaler }{}); !errors.Is(err, errFail) {
		t.Errorf("the MarshalJSON error is not wrapped: %v", err)
	}
}

// FuzzNativeLikeEncodingJSON compares strings, floats and integers in a struct.
func FuzzNativeLikeEncodingJSON(f *testing.F) {
	f.Add("a\u2028b\xff", 1.5, int64(-3), float32(1e-7))
	f.Add("", 1e21, int64(0), float32(0))
	f.Add("<&>\"\\\x00", 5e-324, int64(math.MaxInt64), float32(3.4e38))
	f.Fuzz(func(t *testing.T, s string, f64 float64, i int64, f32 float32) {
		v := struct {
			S   string
			F   float64
			I   int64
			F32 float32
			K   map[string]string
		}{s, f64, i, f32, map[string]string{s: s, "k": s}}
		want, werr := stdJSON(v)
		got, _, err := sio.MarshalArgsNative(v)
		if (werr == nil) != (err == nil) {
			t.Fatalf("%#v: %v; encoding/json %v", v, err, werr)
		}
		if err == nil && string(got) != want {
			t.Fatalf("%#v:\n got %s\nwant %s", v, got, want)
		}
	})
}

// TestMapKeyOrder: map keys are written sorted (the heap sort of
// sortEntries), as encoding/json sorts them, for maps of every size.
func TestMapKeyOrder(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 8, 100, 1000} {
		m := map[int][]byte{} // binary: written by the attachment walk
		want := map[int]string{}
		for i := range n {
			k := (i * 7919) % 100003
			m[k] = nil
			want[k] = "x"
		}
		got, _, err := sio.MarshalArgs(m)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := json.Marshal([]any{want})
		if g, wk := topKeys(t, got), topKeys(t, w); strings.Join(g, ",") != strings.Join(wk, ",") {
			t.Fatalf("%d keys: order %v, encoding/json's %v", n, g, wk)
		}
	}
}

// topKeys returns the keys of the object in the one-element array b, in order.
func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '{' || tok == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 2 {
				keys = append(keys, tok)
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
