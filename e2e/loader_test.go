//go:build !js

package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/duplexio/duplex/client/dist"
)

// TestLoaderWithoutClient: when the wasm client cannot be loaded (here: the
// directory has no wasm_exec.js / client.wasm, or a broken client.wasm), the
// page gets a connect_error and a console error instead of a silent hang.
func TestLoaderWithoutClient(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"empty":  {},
		"broken": {"client.wasm": "not wasm", "wasm_exec.js": readFile(t, filepath.Join(wasmBuild(t), "wasm_exec.js"))},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, body := range files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			assets := assetServer(t, dist.Handler(os.DirFS(dir), nil))
			tb := newTab(t, "loader-"+name)
			tb.navigate(assets.URL + "/testdata/drive.html")
			tb.waitConsole("connect_error ", waitShort)
			tb.waitConsole("error: duplex: loading the Socket.IO client failed", waitShort)
			// A socket made after the failure gets its connect_error too.
			eval[bool](tb, `io().on("connect_error", (e) => console.log("late connect_error " + e.message)), true`)
			tb.waitConsole("late connect_error ", waitShort)
			t.Logf("console:\n%s", tb.console())
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
