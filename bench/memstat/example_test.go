//go:build !js

package memstat_test

import (
	"fmt"

	"github.com/duplexio/duplex/bench/memstat"
)

// Where the process's memory is, by the runtime's own classes.
func ExampleRead() {
	s := memstat.Read(false)
	stacks := s.Sum("/memory/classes/heap/stacks:", "/memory/classes/os-stacks:")
	fmt.Println(s[memstat.HeapObjects] > 0, stacks > 0, s[memstat.Goroutines] >= 1)
	// Output: true true true
}
