// Package memstat reads the Go runtime's own memory accounting
// (runtime/metrics) for the benchmark servers' control ports, so that the
// runner can say where a server's RSS is, not only how large it is.
package memstat
