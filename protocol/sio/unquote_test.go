package sio

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzUnquote: unquote agrees with encoding/json on every JSON string it
// accepts (a value's exact bytes: escapes, control characters, invalid UTF-8 anywhere, including
// in the bytes scanned 8 at a time), and accepts every one json.Valid does.
func FuzzUnquote(f *testing.F) {
	long := strings.Repeat("abcdefgh", 5)
	for _, s := range []string{`""`, `"a"`, `"` + long + `"`, `"` + long + `\n"`, `"` + long + "\x01" + `"`,
		`"` + long + "\xff" + `"`, `"` + long + `é"`, `"abcdefg"h"`, `"\ud800"`, `"` + long[:7] + `\"` + long + `"`,
		`"` + long + "\"" + long + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
			return // unquote takes a value's exact bytes, no white space around
		}
		got, ok := unquote(s)
		var want string
		err := json.Unmarshal(s, &want)
		if ok != (err == nil) || got != want {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json: %q, %v", s, got, ok, want, err)
		}
	})
}
