//go:build js && wasm

package safejs

import (
	"strings"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestErrors: what throws in JavaScript, or panics in syscall/js, is an error.
func TestErrors(t *testing.T) {
	if _, err := Undefined().Get("x"); err == nil {
		t.Error("Get on undefined: no error")
	}
	if _, err := Global().Call("eval", "throw new Error('boom')"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a thrown Error: %v", err)
	}
	if _, err := Null().Int(); err == nil {
		t.Error("Int of null: no error")
	}
	m, err := Global().Get("Math")
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.Call("max", 1, valueOf(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := v.Int(); err != nil || n != 3 {
		t.Errorf("Math.max(1, 3) = %d, %v", n, err)
	}
}

func valueOf(t *testing.T, x any) Value {
	t.Helper()
	v, err := ValueOf(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
