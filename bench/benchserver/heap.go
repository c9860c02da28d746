//go:build !js

package benchserver

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// HeapInUse returns the bytes of live heap objects after a full GC (the
// runtime/metrics class /memory/classes/heap/objects:bytes): what the process
// still holds, unlike its RSS, which keeps freed memory until the runtime's
// scavenger returns it. With free true it calls debug.FreeOSMemory instead of
// runtime.GC, so that the RSS read next shows the memory once returned.
func HeapInUse(free bool) uint64 {
	if free {
		debug.FreeOSMemory()
	} else {
		runtime.GC()
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
