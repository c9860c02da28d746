package payload

import (
	"strings"
	"testing"
)

func TestJSONLike(t *testing.T) {
	for _, size := range []int{0, 1, 10, 1024, 4000} {
		if got := len(JSONLike(7, size)); got != size {
			t.Fatalf("size %d: %d bytes", size, got)
		}
	}
	a, b := JSONLike(1, 1024), JSONLike(2, 1024)
	if a == b || strings.ContainsAny(a, `"\`) {
		t.Fatalf("%q / %q", a[:60], b[:60])
	}
	// The same text as jsonLike in bench/node/server.js.
	if want := "{id:3,user:user3,room:lobby,text:"; !strings.HasPrefix(JSONLike(3, 100), want) {
		t.Fatalf("%q", JSONLike(3, 100))
	}
}
