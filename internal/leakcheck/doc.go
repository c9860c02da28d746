// Package leakcheck fails a test binary whose goroutines outlive its tests.
package leakcheck
