package jsonread

import (
	"strings"
	"testing"
)

// skipPlainRef is SkipPlain's definition, a byte at a time.
func skipPlainRef(d []byte, i int) int {
	for ; i+8 <= len(d); i += 8 {
		for _, c := range d[i : i+8] {
			if c < 0x20 || c == '"' || c == '\\' {
				return i
			}
		}
	}
	return i
}

// FuzzSkipPlain: SkipPlain (32 bytes a round, then 8) stops where its
// definition does, from any start.
func FuzzSkipPlain(f *testing.F) {
	long := strings.Repeat("abcdefgh", 9)
	for _, s := range []string{"", "abc", long, long + `"`, long[:40] + "\\" + long, long[:31] + "\x1f" + long, long[:33] + "\xff\"", "é" + long} {
		f.Add([]byte(s), 0)
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, d []byte, i int) {
		if i < 0 || i > len(d) {
			return
		}
		if got, want := SkipPlain(d, i), skipPlainRef(d, i); got != want {
			t.Fatalf("SkipPlain(%q, %d) = %d, want %d", d, i, got, want)
		}
	})
}

// FuzzPlainASCII: PlainASCII is its definition, a byte at a time.
func FuzzPlainASCII(f *testing.F) {
	long := strings.Repeat("abcdefgh", 9)
	for _, s := range []string{"", "abc", long, long + `"`, long[:40] + "\\" + long, long[:31] + "\x1f" + long, long[:33] + "\xff", "é" + long, long + "\x7f"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, d []byte) {
		want := true
		for _, c := range d {
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				want = false
			}
		}
		if got := PlainASCII(d); got != want {
			t.Fatalf("PlainASCII(%q) = %v, want %v", d, got, want)
		}
	})
}
