package sio

import (
	"encoding/json"
	"strings"
	"testing"
)

var validSeeds = []string{
	``, ` `, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.5e-3`, `2.`, `0x1`,
	`true`, `tru`, `false`, `null`, `nul`, `truex`, `"a"`, `"`, `"\"`, `"\u00e9"`, `"\u00g9"`, `"\x"`, `"a` + "\x01" + `"`,
	"\"\xff\xfe\"", `"\/\b\f\n\r\t"`, `[]`, `[`, `[1,]`, `[,1]`, `[1 2]`, `{}`, `{"a":1}`, `{"a":1,}`, `{"a"}`, `{a:1}`,
	`{"a":1 "b":2}`, ` [ 1 , { "a" : [ true , null ] } ] `, `[1]]`, `{}}`, `[1]x`, "[\"a\",\t\n\r1]", "\v1", `"\ud800"`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestValidJSON(t *testing.T) {
	for _, s := range validSeeds {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%.40q) = %v, json.Valid %v", s, got, want)
		}
	}
}

// FuzzValidJSON checks validJSON against json.Valid.
func FuzzValidJSON(f *testing.F) {
	for _, s := range validSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", b, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	in := []byte(`["chat",{"text":"hello there","user":"bob","tags":["a","b"],"n":-1.5e3,"ok":true}]`)
	b.Run("validJSON", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			validJSON(in)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			json.Valid(in)
		}
	})
}

// TestStringSpecialAtEveryOffset: skipPlain tests 8 bytes at a time; a quote,
// a backslash, a control byte or a non-ASCII byte at any offset of a long
// string is seen as the byte-by-byte scan sees it.
func TestStringSpecialAtEveryOffset(t *testing.T) {
	for _, special := range []string{`"`, `\"`, `\\`, "\x1f", "\x00", "é", "\x7f", `\u00e9`, `\x`} {
		for n := range 40 {
			body := strings.Repeat("a", n) + special + strings.Repeat("b", 40-n)
			d := []byte(`"` + body + `"`)
			if got, want := validJSON(d), json.Valid(d); got != want {
				t.Errorf("validJSON(%q) = %v, json.Valid %v", d, got, want)
			}
			if got, want := stringEnd(d, 0), naiveStringEnd(d); got != want {
				t.Errorf("stringEnd(%q) = %d, want %d", d, got, want)
			}
		}
	}
}

func naiveStringEnd(d []byte) int {
	for i := 1; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}
