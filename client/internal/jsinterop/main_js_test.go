//go:build js && duplex_jsinterop

package jsinterop

import (
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }
