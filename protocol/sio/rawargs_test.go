package sio

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// plainArgs: every type AppendRawArgs takes, nested as it may be.
var plainArgs = [][]any{
	nil,
	{nil, "s\u2028<>&\"", true, false, 1, int32(-2), int64(1 << 60), uint64(math.MaxUint64)},
	{1.5, float32(0.1), 1e21, 1e-7, math.Copysign(0, -1), math.NaN(), math.Inf(1), 123456789.125, float32(1e-7)},
	{[]byte("bin"), []byte(nil), json.RawMessage(`{"b":1,"a":[2]}`), json.RawMessage(nil)},
	{RawWithAttachments{JSON: []byte(`[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1}, {2}}}},
	{[]any{1, "x", []any{nil, []byte{3}}}, map[string]any{"z": 1, "a": map[string]any{"k": []any{2.5}}}, []any(nil), map[string]any(nil)},
}

// TestAppendRawArgs: AppendRawArgs writes plain arguments as AppendArgs does.
func TestAppendRawArgs(t *testing.T) {
	for _, args := range plainArgs {
		want, wantAtt, err := AppendArgs(nil, args...)
		if err != nil {
			t.Fatalf("AppendArgs(%v): %v", args, err)
		}
		got, gotAtt, err := AppendRawArgs([]byte("x"), args...)
		if err != nil {
			t.Fatalf("AppendRawArgs(%v): %v", args, err)
		}
		if string(got[1:]) != string(want) || !reflect.DeepEqual(gotAtt, wantAtt) {
			t.Errorf("AppendRawArgs(%v) = %s %q, AppendArgs %s %q", args, got[1:], gotAtt, want, wantAtt)
		}
		want, wantAtt, err = AppendEvent(nil, "ev", args...)
		if err != nil {
			t.Fatalf("AppendEvent(%v): %v", args, err)
		}
		got, gotAtt, err = AppendRawEvent(nil, "ev", args...)
		if err != nil || string(got) != string(want) || !reflect.DeepEqual(gotAtt, wantAtt) {
			t.Errorf("AppendRawEvent(%v) = %s %q %v, AppendEvent %s %q", args, got, gotAtt, err, want, wantAtt)
		}
	}
}

// TestAppendRawArgsRefuses: a value that needs reflection is refused, with
// the type named, however deep it is.
func TestAppendRawArgsRefuses(t *testing.T) {
	type point struct{ X int }
	for _, args := range [][]any{
		{point{1}},
		{[]any{1, map[string]any{"p": &point{}}}},
		{[]string{"a"}},
		{uint8(1)},
		{RawWithAttachments{JSON: []byte(`{"_placeholder":true,"num":3}`)}},
	} {
		b, att, err := AppendRawArgs(nil, args...)
		if !errors.Is(err, ErrUnsupportedValue) || b != nil || att != nil {
			t.Errorf("AppendRawArgs(%#v) = %s, %v, %v; want ErrUnsupportedValue", args, b, att, err)
		}
	}
	if _, _, err := AppendRawEvent(nil, "connect", 1); !errors.Is(err, ErrReservedEvent) {
		t.Errorf("AppendRawEvent(connect): %v", err)
	}
	if _, _, err := AppendRawEvent(nil, "ev", point{}); !errors.Is(err, ErrUnsupportedValue) {
		t.Errorf("AppendRawEvent(struct): %v", err)
	}
	if _, _, err := AppendRawArgs(nil, []any{struct{}{}}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("struct {}")) {
		t.Errorf("error %v does not name the type", err)
	}
}

func FuzzAppendRawArgsFloat(f *testing.F) {
	for _, x := range []float64{0, 1, -1.5, 1e21, 1e-7, 5e-324, math.MaxFloat64, 0.1} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		for _, v := range []any{x, float32(x)} {
			want, _, werr := AppendArgs(nil, v)
			got, _, err := AppendRawArgs(nil, v)
			if string(got) != string(want) || (err == nil) != (werr == nil) {
				t.Fatalf("AppendRawArgs(%v) = %s, %v; AppendArgs %s, %v", v, got, err, want, werr)
			}
		}
	})
}

// TestSortStrings: the map keys' heap sort sorts as slices.Sort.
func TestSortStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		ss := make([]string, n)
		for i := range ss {
			ss[i] = string(rune('a' + r.IntN(5)))
			if r.IntN(2) == 0 {
				ss[i] += "é"
			}
		}
		want := slices.Clone(ss)
		slices.Sort(want)
		sortStrings(ss)
		if !slices.Equal(ss, want) {
			t.Fatalf("sortStrings = %q, want %q", ss, want)
		}
	}
}
