//go:build !js

package docs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// protocolCite matches a citation of the protocol notes with a section:
// "docs/protocol.md §1.7", "protocol.md 2.6", "docs/protocol.md §1.4 and 2.2".
var protocolCite = regexp.MustCompile(`(?i)protocol\.md[ ,]*(?:§ ?)?(\d+\.\d+)((?:(?:,| and) (?:§ ?)?\d+\.\d+)*)`)

var sectionNumber = regexp.MustCompile(`\d+\.\d+`)

// outsideNames are the names of notes that are not in the repository (the
// team's working notes). They are built here so that this file does not cite
// them itself.
var outsideNames = []string{
	".." + "/shared",
	"shared/" + "DESIGN.md",
	"PROTOCOL" + ".md",
}

// TestProtocolReferences: every file of the repository that cites the
// protocol notes by section cites a section docs/protocol.md has, by its
// path in the repository, and none points outside the repository. Before,
// the code cited protocol notes and a design sketch that were not in the
// repository (issue 10, item 16).
func TestProtocolReferences(t *testing.T) {
	root := repoRoot(t)
	notes, err := os.ReadFile(filepath.Join(root, "docs", "protocol.md"))
	if err != nil {
		t.Fatalf("the protocol notes: %v", err)
	}
	sections := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^###? (\d+\.\d+) `).FindAllStringSubmatch(string(notes), -1) {
		sections[m[1]] = true
	}
	for _, want := range []string{"1.2", "1.4", "1.7", "1.8", "1.9", "2.1", "2.2", "2.6"} {
		if !sections[want] {
			t.Errorf("docs/protocol.md has no section %s (the code cites it)", want)
		}
	}
	cites := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "node_modules" || name == "build" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".md", ".js", ".html", ".sh":
		default:
			if name != "Makefile" {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == filepath.Join("docs", "refs_test.go") {
			return nil
		}
		text := string(b)
		for _, outside := range outsideNames {
			if strings.Contains(text, outside) {
				t.Errorf("%s points outside the repository (%s)", rel, outside)
			}
		}
		for _, m := range protocolCite.FindAllStringSubmatch(text, -1) {
			for _, n := range sectionNumber.FindAllString(m[0], -1) {
				cites++
				if !sections[n] {
					t.Errorf("%s cites section %s of the protocol notes, which docs/protocol.md does not have: %q", rel, n, m[0])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cites == 0 {
		t.Error("no citation of the protocol notes found: is the pattern still right?")
	}
}
