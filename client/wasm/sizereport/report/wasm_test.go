package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func uleb(n int) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func section(id byte, body []byte) []byte {
	return append(append([]byte{id}, uleb(len(body))...), body...)
}

func name(s string) []byte { return append(uleb(len(s)), s...) }

// module builds a binary with one imported function, two defined ones of
// body sizes 3 and 130, and a name section naming all three.
func module() []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	var imp []byte
	imp = append(imp, uleb(2)...)
	imp = append(append(append(imp, name("go")...), name("debug")...), 0, 0)  // func, type 0
	imp = append(append(append(imp, name("go")...), name("mem")...), 2, 0, 1) // memory, min 1
	b = append(b, section(2, imp)...)
	code := uleb(2)
	code = append(append(code, uleb(3)...), 0, 0, 0x0b)
	code = append(append(code, uleb(130)...), make([]byte, 130)...)
	b = append(b, section(10, code)...)
	var fn []byte
	fn = append(fn, uleb(3)...)
	fn = append(append(fn, uleb(0)...), name("go.debug")...)
	fn = append(append(fn, uleb(1)...), name("net_url.__URL_.String")...)
	fn = append(append(fn, uleb(2)...), name("github.com_duplexio_duplex_client.__Manager_.run")...)
	names := append(name("name"), section(1, fn)...)
	return append(b, section(0, names)...)
}

func TestParse(t *testing.T) {
	m, err := Parse(module())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Funcs) != 2 {
		t.Fatalf("%d functions, want 2", len(m.Funcs))
	}
	if m.Funcs[0].Name != "net_url.__URL_.String" || m.Funcs[0].Size != 3 {
		t.Errorf("function 0: %+v", m.Funcs[0])
	}
	if m.Funcs[1].Name != "github.com_duplexio_duplex_client.__Manager_.run" || m.Funcs[1].Size != 130 {
		t.Errorf("function 1: %+v", m.Funcs[1])
	}
	var out bytes.Buffer
	if err := m.Write(&out, 0, 5); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"github.com/duplexio/duplex/client", "net/url", "custom name", "code"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPackage(t *testing.T) {
	for sym, want := range map[string]string{
		"runtime.gcStart":                                       "runtime",
		"net_url.__URL_.String":                                 "net/url",
		"encoding_json.__decodeState_.object":                   "encoding/json",
		"github.com_duplexio_duplex_client.__Manager_.run":      "github.com/duplexio/duplex/client",
		"github.com_hack-pad_safejs.Value.Get":                  "github.com/hack-pad/safejs",
		"sync.runtime_notifyListAdd":                            "sync",
		"slices.pdqsortCmpFunc_go.shape.struct___encoding_json": "slices",
		"type:.eq.foo":                                          "type:",
		"":                                                      "(unnamed)",
	} {
		if got := Package(sym); got != want {
			t.Errorf("Package(%q) = %q, want %q", sym, got, want)
		}
	}
}

func TestParseBad(t *testing.T) {
	good := module()
	for _, b := range [][]byte{nil, []byte("\x00asm"), []byte("\x7fELF\x01\x00\x00\x00"), good[:len(good)-3], good[:20]} {
		if _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q): err %v, want ErrFormat", b, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(module())
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v is not ErrFormat", err)
			}
			return
		}
		var out bytes.Buffer
		if err := m.Write(&out, 10, 10); err != nil {
			t.Fatal(err)
		}
	})
}
