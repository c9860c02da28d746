//go:build !js

package docs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the root module's directory (this file is in docs/).
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the source tree")
	}
	return filepath.Dir(filepath.Dir(file))
}

// goBlocks returns the ```go blocks of a Markdown file, in order.
func goBlocks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	in := false
	for line := range strings.SplitSeq(string(b), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
		case in:
			cur = append(cur, line)
		}
	}
	if in {
		t.Fatalf("%s: a ```go block is not closed", path)
	}
	return blocks
}

// snippetImports are the packages a README snippet without a package clause
// may use, by the name it uses them with.
var snippetImports = map[string]string{
	"client":  "github.com/duplexio/duplex/client",
	"context": "context",
	"errors":  "errors",
	"fmt":     "fmt",
	"http":    "net/http",
	"json":    "encoding/json",
	"log":     "log",
	"server":  "github.com/duplexio/duplex/server",
	"slog":    "log/slog",
	"time":    "time",
}

var qualified = regexp.MustCompile(`\b([a-z]+)\.[A-Z]`)

// TestReadmeSnippetsCompile builds every Go block of README.md in a module of
// its own that requires this repository: a block with a package clause is a
// program of its own; the others (declarations) go together into one package,
// with the imports they use added. go vet must pass.
func TestReadmeSnippetsCompile(t *testing.T) {
	root := repoRoot(t)
	blocks := goBlocks(t, filepath.Join(root, "README.md"))
	if len(blocks) < 8 {
		t.Fatalf("README.md has %d Go blocks; the quickstart and the feature snippets are expected", len(blocks))
	}
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module readme\n\ngo 1.26\n\nrequire github.com/duplexio/duplex v0.0.0-00010101000000-000000000000\n\n"+
		"replace github.com/duplexio/duplex => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sum))
	for i, b := range blocks {
		if strings.HasPrefix(b, "package ") {
			write(fmt.Sprintf("program%d/main.go", i+1), b)
			continue
		}
		var imports []string
		for _, m := range qualified.FindAllStringSubmatch(b, -1) {
			if p, ok := snippetImports[m[1]]; ok && !slices.Contains(imports, p) {
				imports = append(imports, p)
			}
		}
		slices.Sort(imports)
		var src strings.Builder
		fmt.Fprintf(&src, "// README.md, Go block %d\n\npackage snippets\n\n", i+1)
		if len(imports) > 0 {
			src.WriteString("import (\n")
			for _, p := range imports {
				fmt.Fprintf(&src, "\t%q\n", p)
			}
			src.WriteString(")\n\n")
		}
		src.WriteString(b)
		write(fmt.Sprintf("snippets/block%02d.go", i+1), src.String())
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README.md's Go blocks do not build (files in %s):\n%s", dir, out)
	}
}

// TestReadmeSnippetsAreExamples: every README block without a package clause
// is, word for word, in example_test.go, where the Examples run it.
func TestReadmeSnippetsAreExamples(t *testing.T) {
	root := repoRoot(t)
	examples, err := os.ReadFile(filepath.Join(root, "docs", "example_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range goBlocks(t, filepath.Join(root, "README.md")) {
		if strings.HasPrefix(b, "package ") {
			continue
		}
		if !strings.Contains(string(examples), b) {
			t.Errorf("README.md's Go block %d is not in docs/example_test.go:\n%s", i+1, b)
		}
	}
}
