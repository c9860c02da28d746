package dist_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/duplexio/duplex/client/dist"
	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

var (
	wasmBody = bytes.Repeat([]byte("\x00asm fake client "), 500)
	execBody = []byte("// wasm_exec.js\n" + strings.Repeat("var x = 1;\n", 200))
	t0       = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"client.wasm":  {Data: wasmBody, ModTime: t0},
		"wasm_exec.js": {Data: execBody, ModTime: t0},
		"notes.txt":    {Data: []byte("secret"), ModTime: t0},
		"sub/x.js":     {Data: []byte("x"), ModTime: t0},
	}
}

func get(t *testing.T, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestContentTypesAndBodies(t *testing.T) {
	h := dist.Handler(testFS(), nil)
	for _, tc := range []struct {
		path, ctype string
		body        []byte
	}{
		{"/socket.io/client.wasm", "application/wasm", wasmBody},
		{"/socket.io/wasm_exec.js", "text/javascript; charset=utf-8", execBody},
		{"/anywhere/client.wasm", "application/wasm", wasmBody},
	} {
		w := get(t, h, "GET", tc.path)
		if w.Code != 200 {
			t.Fatalf("%s: status %d", tc.path, w.Code)
		}
		if got := w.Header().Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if !bytes.Equal(w.Body.Bytes(), tc.body) {
			t.Errorf("%s: body differs", tc.path)
		}
		if w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header", tc.path)
		}
		if w.Header().Get("ETag") == "" || w.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s: headers %v", tc.path, w.Header())
		}
	}
}

func TestLoader(t *testing.T) {
	h := dist.Handler(testFS(), nil)
	w := get(t, h, "GET", "/socket.io/socket.io.js")
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
	body := w.Body.String()
	if strings.Contains(body, "__DUPLEX_VERSION__") || !strings.Contains(body, "global.io = io") {
		t.Fatalf("loader not versioned or not the loader:\n%.300s", body)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("loader Cache-Control %q", cc)
	}
	// A rebuilt client changes the loader's version and ETag.
	fsys := testFS()
	h2 := dist.Handler(fsys, nil)
	before := get(t, h2, "GET", "/socket.io/socket.io.js")
	fsys["client.wasm"] = &fstest.MapFile{Data: append([]byte("v2"), wasmBody...), ModTime: t0.Add(time.Minute)}
	after := get(t, h2, "GET", "/socket.io/socket.io.js")
	if before.Header().Get("ETag") == after.Header().Get("ETag") || before.Body.String() == after.Body.String() {
		t.Fatal("loader did not change after the client was rebuilt")
	}
	wasm := get(t, h2, "GET", "/socket.io/client.wasm")
	if !bytes.HasPrefix(wasm.Body.Bytes(), []byte("v2")) {
		t.Fatal("rebuilt client.wasm not served")
	}
}

func TestCacheControlVersioned(t *testing.T) {
	h := dist.Handler(testFS(), nil)
	if cc := get(t, h, "GET", "/socket.io/client.wasm?v=abc").Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("versioned: %q", cc)
	}
	if cc := get(t, h, "GET", "/socket.io/client.wasm").Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned: %q", cc)
	}
}

func TestNotModified(t *testing.T) {
	h := dist.Handler(testFS(), nil)
	for _, ae := range []string{"", "gzip"} {
		first := get(t, h, "GET", "/socket.io/client.wasm", "Accept-Encoding", ae)
		etag := first.Header().Get("ETag")
		w := get(t, h, "GET", "/socket.io/client.wasm", "Accept-Encoding", ae, "If-None-Match", etag)
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("accept %q: If-None-Match %s: status %d, %d bytes", ae, etag, w.Code, w.Body.Len())
		}
		w = get(t, h, "GET", "/socket.io/client.wasm", "Accept-Encoding", ae, "If-None-Match", `"other"`)
		if w.Code != 200 {
			t.Errorf("accept %q: other etag: status %d", ae, w.Code)
		}
	}
	plain := get(t, h, "GET", "/socket.io/client.wasm").Header().Get("ETag")
	gz := get(t, h, "GET", "/socket.io/client.wasm", "Accept-Encoding", "gzip").Header().Get("ETag")
	if plain == gz {
		t.Errorf("identity and gzip share the ETag %s", plain)
	}
}

func TestGzipNegotiation(t *testing.T) {
	h := dist.Handler(testFS(), nil)
	for _, tc := range []struct {
		accept string
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true}, // no .br file: gzip
		{"br", false},
		{"gzip;q=0", false},
		{"*", true},
		{"*;q=0", false},
		{"identity", false},
		{"deflate, GZIP;q=0.5", true},
	} {
		w := get(t, h, "GET", "/socket.io/wasm_exec.js", "Accept-Encoding", tc.accept)
		enc := w.Header().Get("Content-Encoding")
		if (enc == "gzip") != tc.gzip {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", tc.accept, enc)
			continue
		}
		if w.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: no Vary", tc.accept)
		}
		body := w.Body.Bytes()
		if tc.gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
			if w.Body.Len() >= len(execBody) {
				t.Errorf("gzip did not compress: %d >= %d", w.Body.Len(), len(execBody))
			}
		}
		if !bytes.Equal(body, execBody) {
			t.Errorf("Accept-Encoding %q: body differs", tc.accept)
		}
	}
}

func TestPrecompressed(t *testing.T) {
	fsys := testFS()
	fsys["client.wasm.br"] = &fstest.MapFile{Data: []byte("BROTLI"), ModTime: t0}
	fsys["client.wasm.gz"] = &fstest.MapFile{Data: []byte("GZIPPED"), ModTime: t0}
	h := dist.Handler(fsys, nil)
	for _, tc := range []struct{ accept, enc, body string }{
		{"gzip, deflate, br", "br", "BROTLI"},
		{"gzip", "gzip", "GZIPPED"},
		{"br;q=0, gzip", "gzip", "GZIPPED"},
		{"br", "br", "BROTLI"},
		{"", "", string(wasmBody)},
	} {
		w := get(t, h, "GET", "/socket.io/client.wasm", "Accept-Encoding", tc.accept)
		if w.Header().Get("Content-Encoding") != tc.enc || w.Body.String() != tc.body {
			t.Errorf("Accept-Encoding %q: encoding %q body %.10q", tc.accept, w.Header().Get("Content-Encoding"), w.Body.String())
		}
		if w.Header().Get("Content-Type") != "application/wasm" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", tc.accept, w.Header().Get("Content-Type"))
		}
	}
	// A variant older than its source is stale and ignored.
	fsys["client.wasm"] = &fstest.MapFile{Data: wasmBody, ModTime: t0.Add(time.Hour)}
	w := get(t, h, "GET", "/socket.io/client.wasm", "Accept-Encoding", "br")
	if w.Header().Get("Content-Encoding") == "br" {
		t.Error("stale .br served")
	}
}

func TestRefused(t *testing.T) {
	h := dist.Handler(testFS(), nil)
	for _, p := range []string{"/socket.io/notes.txt", "/socket.io/missing.js", "/socket.io/", "/socket.io/..", "/socket.io/.hidden.js"} {
		if w := get(t, h, "GET", p); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, w.Code)
		}
	}
	if w := get(t, h, "POST", "/socket.io/client.wasm"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", w.Code)
	}
	w := get(t, h, "HEAD", "/socket.io/client.wasm")
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d bytes", w.Code, w.Body.Len())
	}
}
