package client

import (
	"encoding/json"
	"testing"
	"unsafe"
)

// TestSharedString: a plain ASCII JSON string is its inner bytes, shared;
// anything else (escapes, non-ASCII text, the empty string, not a string)
// is left to sio's decoder, which copies.
func TestSharedString(t *testing.T) {
	raw := json.RawMessage(`"hello, world"`)
	s, ok := sharedString(raw)
	if !ok || s != "hello, world" {
		t.Fatalf("plain: %q %v", s, ok)
	}
	if unsafe.StringData(s) != &raw[1] {
		t.Error("plain: not shared")
	}
	for _, r := range []string{`"a\"b"`, `"a\nb"`, `"é"`, `""`, `"`, `12`, `"ab`, `ab"`, `null`} {
		if s, ok := sharedString(json.RawMessage(r)); ok {
			t.Errorf("%s: shared %q", r, s)
		}
	}
}
