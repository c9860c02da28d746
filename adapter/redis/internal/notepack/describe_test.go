//go:build !js

package notepack

import (
	"encoding/hex"
	"math"
)

// describe renders a decoded value as interop/cluster/notepack.js does, so
// that Go's and Node's decodings compare as JSON.
func describe(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case Undefined:
		return map[string]any{"$": "undef"}
	case bool, string:
		return x
	case float64:
		s := jsNumberString(x)
		if x == 0 && math.Signbit(x) {
			s = "-0"
		}
		return map[string]any{"$": "num", "v": s}
	case []byte:
		return map[string]any{"$": "buf", "hex": hex.EncodeToString(x)}
	case ArrayBuffer:
		return map[string]any{"$": "ab", "hex": hex.EncodeToString(x)}
	case Date:
		return map[string]any{"$": "date", "v": jsNumberString(float64(x))}
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = describe(el)
		}
		return out
	case *Map:
		kv := make([]any, 0, x.Len())
		for i := range x.Len() {
			k, val := x.At(i)
			kv = append(kv, []any{k, describe(val)})
		}
		return map[string]any{"$": "obj", "kv": kv}
	}
	return map[string]any{"$": "other"}
}
