package report

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// ErrFormat is returned for input that is not a well-formed wasm binary.
var ErrFormat = errors.New("not a WebAssembly binary")

// Section is one section of the binary.
type Section struct {
	ID   byte
	Name string // a custom section's name, or the standard section's
	Size int
}

// Func is one defined function.
type Func struct {
	Name string // "" when the binary has no name for it
	Size int    // bytes of its body in the code section
}

// Module is what Parse found.
type Module struct {
	Total    int
	Imports  int // imported functions: Funcs[i] has the function index Imports+i
	Sections []Section
	Funcs    []Func
}

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory",
	"global", "export", "start", "element", "code", "data", "datacount"}

type reader struct {
	b   []byte
	off int
}

func (r *reader) uleb() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.off >= len(r.b) {
			return 0, fmt.Errorf("%w: truncated number at %d", ErrFormat, r.off)
		}
		c := r.b[r.off]
		r.off++
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: number too long at %d", ErrFormat, r.off)
}

func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.off) {
		return nil, fmt.Errorf("%w: %d bytes past the end at %d", ErrFormat, n, r.off)
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

func (r *reader) name() (string, error) {
	n, err := r.uleb()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n)
	return string(b), err
}

// Parse reads the sections of a wasm binary, the size of each function
// body, and the function names of the name section when there is one.
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, ErrFormat
	}
	m := &Module{Total: len(b)}
	r := &reader{b: b, off: 8}
	imported := 0 // function imports come first in the function index space
	names := map[uint64]string{}
	for r.off < len(b) {
		id := b[r.off]
		r.off++
		n, err := r.uleb()
		if err != nil {
			return nil, err
		}
		body, err := r.bytes(n)
		if err != nil {
			return nil, err
		}
		s := Section{ID: id, Size: int(n)}
		if int(id) < len(sectionNames) {
			s.Name = sectionNames[id]
		} else {
			s.Name = fmt.Sprintf("unknown(%d)", id)
		}
		sr := &reader{b: body}
		switch id {
		case 0:
			name, err := sr.name()
			if err != nil {
				return nil, err
			}
			s.Name = "custom " + name
			if name == "name" {
				if err := readNames(sr, names); err != nil {
					return nil, err
				}
			}
		case 2:
			if imported, err = countFuncImports(sr); err != nil {
				return nil, err
			}
		case 10:
			if m.Funcs, err = readCode(sr); err != nil {
				return nil, err
			}
		}
		m.Sections = append(m.Sections, s)
	}
	m.Imports = imported
	for i := range m.Funcs {
		m.Funcs[i].Name = names[uint64(imported+i)]
	}
	return m, nil
}

func countFuncImports(r *reader) (int, error) {
	count, err := r.uleb()
	if err != nil {
		return 0, err
	}
	funcs := 0
	for range count {
		if _, err := r.name(); err != nil {
			return 0, err
		}
		if _, err := r.name(); err != nil {
			return 0, err
		}
		kind, err := r.bytes(1)
		if err != nil {
			return 0, err
		}
		switch kind[0] {
		case 0: // function: type index
			funcs++
			_, err = r.uleb()
		case 1: // table: reftype, limits
			if _, err = r.bytes(1); err == nil {
				err = skipLimits(r)
			}
		case 2: // memory: limits
			err = skipLimits(r)
		case 3: // global: valtype, mutability
			_, err = r.bytes(2)
		default:
			err = fmt.Errorf("%w: import kind %d", ErrFormat, kind[0])
		}
		if err != nil {
			return 0, err
		}
	}
	return funcs, nil
}

func skipLimits(r *reader) error {
	flag, err := r.bytes(1)
	if err != nil {
		return err
	}
	if _, err := r.uleb(); err != nil {
		return err
	}
	if flag[0]&1 != 0 {
		_, err = r.uleb()
	}
	return err
}

func readCode(r *reader) ([]Func, error) {
	count, err := r.uleb()
	if err != nil {
		return nil, err
	}
	if count > uint64(len(r.b)) {
		return nil, fmt.Errorf("%w: %d functions in %d bytes", ErrFormat, count, len(r.b))
	}
	fs := make([]Func, 0, count)
	for range count {
		n, err := r.uleb()
		if err != nil {
			return nil, err
		}
		if _, err := r.bytes(n); err != nil {
			return nil, err
		}
		fs = append(fs, Func{Size: int(n)})
	}
	return fs, nil
}

// readNames reads the function names (subsection 1) of the name section.
func readNames(r *reader, names map[uint64]string) error {
	for r.off < len(r.b) {
		id, err := r.bytes(1)
		if err != nil {
			return err
		}
		n, err := r.uleb()
		if err != nil {
			return err
		}
		sub, err := r.bytes(n)
		if err != nil {
			return err
		}
		if id[0] != 1 {
			continue
		}
		sr := &reader{b: sub}
		count, err := sr.uleb()
		if err != nil {
			return err
		}
		for range count {
			idx, err := sr.uleb()
			if err != nil {
				return err
			}
			name, err := sr.name()
			if err != nil {
				return err
			}
			names[idx] = name
		}
	}
	return nil
}

// domains are the host suffixes of module paths: "github.com_x_y.F" is in
// package github.com/x/y, not in a package "github".
var domains = []string{"com_", "org_", "io_", "net_", "dev_", "in_", "co_"}

// Package returns the Go package of a function's name in the name section,
// where the wasm linker writes "/", "(", "*" and ")" as "_":
// "net_url.__URL_.String" (net/url.(*URL).String) -> "net/url",
// "type:.eq.foo" -> "type:".
func Package(sym string) string {
	if sym == "" {
		return "(unnamed)"
	}
	if i := strings.Index(sym, ":"); i >= 0 && !strings.Contains(sym[:i], ".") {
		return sym[:i+1]
	}
	if strings.HasPrefix(sym, "type_.") { // type:.eq.T and friends
		return "type:"
	}
	end := strings.Index(sym, ".")
	if end < 0 {
		return sym
	}
	if !strings.Contains(sym[:end], "_") {
		for _, d := range domains {
			if strings.HasPrefix(sym[end+1:], d) {
				if next := strings.Index(sym[end+1:], "."); next >= 0 {
					end += 1 + next
				}
				break
			}
		}
	}
	return strings.ReplaceAll(sym[:end], "_", "/")
}

// Write prints the sections, the top packages by code size and the
// largest functions.
func (m *Module) Write(w io.Writer, top, funcs int) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "bytes\tsection\t\n")
	for _, s := range m.Sections {
		fmt.Fprintf(tw, "%d\t%s\t\n", s.Size, s.Name)
	}
	fmt.Fprintf(tw, "%d\ttotal\t\n\n", m.Total)

	byPkg := map[string]int{}
	count := map[string]int{}
	code := 0
	for _, f := range m.Funcs {
		p := Package(f.Name)
		byPkg[p] += f.Size
		count[p]++
		code += f.Size
	}
	pkgs := make([]string, 0, len(byPkg))
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool {
		if byPkg[pkgs[i]] != byPkg[pkgs[j]] {
			return byPkg[pkgs[i]] > byPkg[pkgs[j]]
		}
		return pkgs[i] < pkgs[j]
	})
	if top > 0 && len(pkgs) > top {
		pkgs = pkgs[:top]
	}
	fmt.Fprintf(tw, "code bytes\t%%\tfuncs\tpackage\t\n")
	for _, p := range pkgs {
		fmt.Fprintf(tw, "%d\t%.1f\t%d\t%s\t\n", byPkg[p], 100*float64(byPkg[p])/float64(max(code, 1)), count[p], p)
	}
	fmt.Fprintf(tw, "%d\t100\t%d\tall code\t\n\n", code, len(m.Funcs))

	fs := append([]Func(nil), m.Funcs...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Size > fs[j].Size })
	if len(fs) > funcs {
		fs = fs[:funcs]
	}
	fmt.Fprintf(tw, "code bytes\tfunction\t\n")
	for _, f := range fs {
		fmt.Fprintf(tw, "%d\t%s\t\n", f.Size, f.Name)
	}
	return tw.Flush()
}
