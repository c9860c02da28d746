//go:build js && duplex_jsinterop

package jsinterop

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/leakcheck"
)

// TestMain under js: leakcheck.Main counts the runtime's own runtime.handleEvent
// goroutine (it exists whenever JavaScript called into Go, e.g. a timer
// fired) as a leak, so filter it out here.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		var leaked []string
		for _, g := range strings.Split(leakcheck.Wait(2*time.Second), "\n\n") {
			if g != "" && !strings.Contains(g, "runtime.handleEvent") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leakcheck: goroutines outlived the tests:\n%s\n", strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}
