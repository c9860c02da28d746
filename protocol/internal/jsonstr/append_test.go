package jsonstr_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/protocol/internal/jsonstr"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// What JSON.stringify writes for each string (checked against Node by the
// protocol cross-check as well).
func TestAppend(t *testing.T) {
	for in, want := range map[string]string{
		"":                 `""`,
		"plain":            `"plain"`,
		`"\`:               `"\"\\"`,
		"/":                `"/"`,
		"<>&":              `"<>&"`,
		"\u2028\u2029":     "\"\u2028\u2029\"",
		"\b\f\n\r\t":       `"\b\f\n\r\t"`,
		"\x00\x01\x1e\x1f": `"\u0000\u0001\u001e\u001f"`,
		"\x7f":             "\"\x7f\"",
		"é€😀":              `"é€😀"`,
		"a\xffb\xc3":       "\"a\uFFFDb\uFFFD\"",
		"\xed\xa0\x80":     "\"\uFFFD\uFFFD\uFFFD\"", // a UTF-8-encoded surrogate is not UTF-8
	} {
		if got := string(jsonstr.Append(nil, in)); got != want {
			t.Errorf("Append(%q) = %s, want %s", in, got, want)
		}
	}
	if got := string(jsonstr.Append([]byte("x:"), "y")); got != `x:"y"` {
		t.Errorf("appends to dst: %s", got)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\u2028", "a\xffb", strings.Repeat("é", 10)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := jsonstr.Append(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Append(%q) = %s: %v", s, out, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); utf8.ValidString(s) && back != want {
			t.Fatalf("Append(%q) decodes as %q", s, back)
		}
		if !utf8.Valid(out) {
			t.Fatalf("Append(%q) = %q is not UTF-8", s, out)
		}
	})
}
