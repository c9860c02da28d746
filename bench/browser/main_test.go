//go:build !js

package main

import (
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestParseBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkBrowserConnect-2   	      10	4403835922 ns/op	       237.7 ms-official-cold	         3.562 x-cold
--- BENCH: BenchmarkBrowserConnect-2
    browser_bench_test.go:81: loads per case: 10
BenchmarkBrowserReceive/small-2         	       3	5346514711 ns/op	      5734 ev/s-official	        93.13 µs-cpu/ev-official
PASS
`)
	res, err := parseBench(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := res["BenchmarkBrowserConnect"]["x-cold"]; got != 3.562 {
		t.Errorf("x-cold = %v", got)
	}
	if got := res["BenchmarkBrowserReceive/small"]["µs-cpu/ev-official"]; got != 93.13 {
		t.Errorf("µs-cpu/ev-official = %v", got)
	}
	if _, err := parseBench([]byte("BenchmarkX-2 1 2 ns/op x unit\n")); err == nil {
		t.Error("a bad value: no error")
	}
}
