package jsontext

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestAppendString(t *testing.T) {
	for in, want := range map[string]string{
		"":           `""`,
		"a\"b\\c":    `"a\"b\\c"`,
		"\n\r\t\x01": `"\n\r\t\u0001"`,
		"\xff":       `"\ufffd"`,
		"é\u2028":    "\"é\u2028\"",
	} {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("AppendString(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f\x7f", "\xff\xfe", "é\u2028", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q -> %s: %v", s, b, err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); back != want {
			// ToValidUTF8 replaces a run of bad bytes once; AppendString
			// replaces each bad byte, as encoding/json does.
			if strings.ReplaceAll(back, "\ufffd", "") != strings.ReplaceAll(want, "\ufffd", "") {
				t.Fatalf("%q -> %s -> %q", s, b, back)
			}
		}
	})
}
