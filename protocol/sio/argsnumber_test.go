package sio_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

// FuzzArgsNumber: Args.Decode into *int, *int64 and *float64 (read without
// encoding/json when the argument is a plain number) stores what
// json.Unmarshal stores, and fails exactly when it fails.
func FuzzArgsNumber(f *testing.F) {
	for _, s := range []string{`0`, `-0`, `1`, `-1`, `42`, `01`, `-01`, `1.0`, `1.5`, `1e2`, `1E+2`, `-1e-2`, `0.1`,
		`9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`,
		` 1`, `1 `, `null`, `"1"`, `true`, `1.7976931348623157e308`, `1e400`, `-`, `0x10`, `1_0`, `Inf`, `NaN`,
		`+1`, `.5`, `5.`, `1e`, `[1]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a := sio.RawArgs(json.RawMessage(raw))
		var (
			i, stdI     = 7, 7
			i64, stdI64 = int64(7), int64(7)
			x, stdX     = 7.5, 7.5
		)
		err, stdErr := a.Decode(0, &i), json.Unmarshal(raw, &stdI)
		if (err == nil) != (stdErr == nil) || i != stdI {
			t.Fatalf("Decode(%q, *int) = %d, %v; json.Unmarshal %d, %v", raw, i, err, stdI, stdErr)
		}
		err, stdErr = a.Decode(0, &i64), json.Unmarshal(raw, &stdI64)
		if (err == nil) != (stdErr == nil) || i64 != stdI64 {
			t.Fatalf("Decode(%q, *int64) = %d, %v; json.Unmarshal %d, %v", raw, i64, err, stdI64, stdErr)
		}
		err, stdErr = a.Decode(0, &x), json.Unmarshal(raw, &stdX)
		if (err == nil) != (stdErr == nil) || math.Float64bits(x) != math.Float64bits(stdX) {
			t.Fatalf("Decode(%q, *float64) = %v, %v; json.Unmarshal %v, %v", raw, x, err, stdX, stdErr)
		}
	})
}
