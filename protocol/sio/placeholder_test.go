package sio

import (
	"encoding/json"
	"math"
	"testing"
)

// refCheckPlaceholders is socket.io-parser's _reconstructPacket over a decoded
// JSON value, as the model checkPlaceholders must agree with (except that a
// fractional num, which the reference turns into undefined, is refused).
func refCheckPlaceholders(x any, n int) bool {
	switch v := x.(type) {
	case map[string]any:
		if p, _ := v["_placeholder"].(bool); p {
			num, ok := v["num"].(float64)
			return ok && num >= 0 && num < float64(n) && num == math.Trunc(num)
		}
		for _, e := range v {
			if !refCheckPlaceholders(e, n) {
				return false
			}
		}
	case []any:
		for _, e := range v {
			if !refCheckPlaceholders(e, n) {
				return false
			}
		}
	}
	return true
}

var placeholderSeeds = []string{
	`["a",{"_placeholder":true,"num":0}]`,
	`[{"_placeholder":true,"num":0,"x":[{"_placeholder":true,"num":9},1]},2]`,
	`[[{"_placeholder":true,"num":3},{"_placeholder":true,"num":0}],1]`,
	`{"a":{"_placeholder":false,"_placeholder":true,"num":1}}`,
	`[{"\u005fplaceholder":true,"num":0e0}]`, `[{"_placeholder":true}]`, `[{"_placeholder":"true","num":-1}]`,
	`[{"num":0.5,"_placeholder":true}]`, `[{"_placeholder":true,"num":-0}]`, `{"_placeholder":true,"num":1,"num":0}`,
}

func FuzzCheckPlaceholders(f *testing.F) {
	for _, s := range placeholderSeeds {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, d []byte, n uint8) {
		var x any
		if json.Unmarshal(d, &x) != nil {
			return
		}
		got := checkPlaceholders(d, int(n)) == nil
		if want := refCheckPlaceholders(x, int(n)); got != want {
			t.Fatalf("checkPlaceholders(%s, %d) ok = %v, reference %v", d, n, got, want)
		}
	})
}

func TestCheckPlaceholders(t *testing.T) {
	for _, s := range placeholderSeeds {
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			t.Fatal(err)
		}
		for n := range 3 {
			if got, want := checkPlaceholders([]byte(s), n) == nil, refCheckPlaceholders(x, n); got != want {
				t.Errorf("checkPlaceholders(%s, %d) ok = %v, reference %v", s, n, got, want)
			}
		}
	}
}
