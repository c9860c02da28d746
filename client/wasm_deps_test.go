//go:build !js

package client

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// goRoot is the GOROOT of the go command on PATH (the one running the tests).
func goRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func goCmd(t *testing.T, args ...string) *exec.Cmd {
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command(filepath.Join(goRoot(t), "bin", "go"), args...)
	cmd.Dir = filepath.Dir(file)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	return cmd
}

// TestWasmNoNetHTTP checks the browser build: net/http is not among the
// dependencies of the client under GOOS=js (polling uses fetch, websocket the
// browser's WebSocket: even importing net/http for a type adds ~2 MB of
// initialisation to the wasm binary), and the linked binary holds no net/http
// client code.
func TestWasmNoNetHTTP(t *testing.T) {
	out, err := goCmd(t, "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, ".", "./engine").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if f[0] == "net/http" {
			t.Error("net/http is a dependency of the client under GOOS=js")
		}
		for _, imp := range f[1:] {
			if imp == "net/http" {
				t.Errorf("%s imports net/http under GOOS=js", f[0])
			}
		}
	}

	bin := filepath.Join(t.TempDir(), "client.wasm")
	cmd := goCmd(t, "build", "-trimpath", "-ldflags=-dumpdep -s -w", "-o", bin, "./internal/wasmsize")
	var deps bytes.Buffer
	cmd.Stderr = &deps
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v\n%s", err, deps.Bytes())
	}
	clientCode := regexp.MustCompile(`(?m)^net/http\.\(\*(Transport|Client)\)\.[A-Za-z]+ ->`)
	if m := clientCode.Find(deps.Bytes()); m != nil {
		t.Errorf("net/http's client is linked into the wasm binary: %s", m)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wasm binary with the client: %d bytes (-s -w)", fi.Size())
}

// TestWasmLinksNoHeavyPackages checks what client.wasm (./wasm, the io shim)
// links: neither log/slog's handlers nor encoding/json's encoder or decoder.
// Each was ~100-250 KB of the binary, linked by one call (a *slog.Logger,
// json.Marshal, json.Unmarshal) the client now makes without them. Nor
// net/url, not even imported: its import alone initialises net/netip and
// unique (~15 KB brotli), its parser and godebug settings are ~20 KB more;
// in the browser the client parses URLs with the browser's URL
// (internal/weburl). Nor protocol/sio's reflection-based encoder (~35 KB
// brotli): the io shim's arguments are JSON text, encoded by a
// NewRawManager. (fmt stays: github.com/hack-pad/safejs formats
// recovered panics with fmt.)
func TestWasmLinksNoHeavyPackages(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "client.wasm")
	cmd := goCmd(t, "build", "-trimpath", "-ldflags=-dumpdep -s -w", "-o", bin, "./wasm")
	var deps bytes.Buffer
	cmd.Stderr = &deps
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v\n%s", err, deps.Bytes())
	}
	linked := map[string]*regexp.Regexp{
		"log/slog's handlers":      regexp.MustCompile(`(?m)-> log/slog\.\(\*commonHandler\)\.handle$`),
		"encoding/json's decoder":  regexp.MustCompile(`(?m)-> encoding/json\.\(\*decodeState\)\.unmarshal$`),
		"encoding/json's encoder":  regexp.MustCompile(`(?m)-> encoding/json\.\(\*encodeState\)\.marshal$`),
		"net/url":                  regexp.MustCompile(`(?m)-> net/url\.`),
		"net/netip":                regexp.MustCompile(`(?m)-> net/netip\.`),
		"sio's reflection encoder": regexp.MustCompile(`(?m)-> github\.com/duplexio/duplex/protocol/sio\.\(\*argEncoder\)\.(other|native|reflectValue)$`),
	}
	for name, re := range linked {
		if m := re.Find(deps.Bytes()); m != nil {
			t.Errorf("client.wasm links %s: %s", name, m)
		}
	}
}
