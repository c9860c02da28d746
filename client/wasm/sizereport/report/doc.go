// Package report reads a WebAssembly binary built by Go and sums the size of
// its function bodies per Go package, through the binary's name section.
package report
