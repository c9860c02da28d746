// Command sizereport prints what a Go WebAssembly binary holds, per Go
// package: the bytes of function code (from the code section, named through
// the name section) and the size of every section. `make wasm` runs it on a
// build of client.wasm that keeps its symbols (without -s) and writes the
// report to build/wasm/size.txt.
//
//	go run ./client/wasm/sizereport client.wasm
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/duplexio/duplex/client/wasm/sizereport/report"
)

func main() {
	top := flag.Int("top", 60, "packages to list (0: all)")
	funcs := flag.Int("funcs", 30, "largest functions to list")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: sizereport [-top n] [-funcs n] file.wasm")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, flag.Arg(0), *top, *funcs); err != nil {
		fmt.Fprintln(os.Stderr, "sizereport:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, path string, top, funcs int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := report.Parse(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return m.Write(w, top, funcs)
}
