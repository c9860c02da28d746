//go:build !js

package dist_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duplexio/duplex/client/dist"
)

// TestBadNamesQuiet: a name the operating system rejects (a NUL byte, a name
// longer than NAME_MAX) is the client's mistake: 400, and nothing is logged,
// so a remote client cannot fill the log (issue 10, item 15).
func TestBadNamesQuiet(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "client.wasm"), []byte("\x00asm"), 0o644); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	h := dist.Handler(os.DirFS(dir), &dist.Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	for _, target := range []string{
		"/socket.io/%00.js",
		"/socket.io/a%00b.wasm",
		"/socket.io/" + strings.Repeat("a", 300) + ".js",
	} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, w.Code)
		}
	}
	if logged.Len() != 0 {
		t.Errorf("bad names were logged:\n%s", logged.String())
	}
	// A name that is merely absent is still 404.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/socket.io/missing.js", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("missing.js: status %d, want 404", w.Code)
	}
}
