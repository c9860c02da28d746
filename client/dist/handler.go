package dist

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed socket.io.js
var loaderSource []byte

// versionMark is the placeholder in socket.io.js that Handler replaces with
// the version of the wasm files.
const versionMark = "__DUPLEX_VERSION__"

// Names of the files the loader asks for.
const (
	LoaderName  = "socket.io.js"
	RuntimeName = "wasm_exec.js"
	ClientName  = "client.wasm"
)

// Cache-Control values.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// Options configures a Handler. The zero value is ready to use.
type Options struct {
	// Logger reports files that cannot be read. nil: slog.Default().
	Logger *slog.Logger
}

// Handler serves the loader (embedded in this package) and the *.js and
// *.wasm files of fsys, usually os.DirFS("build/wasm") after `make wasm`.
// Only the last element of the request path counts, so the handler works at
// any mount point. Files are read once and kept in memory with their
// compressed forms; a file whose size or modification time changes is read
// again.
func Handler(fsys fs.FS, opts *Options) http.Handler {
	h := &handler{fsys: fsys, files: make(map[string]*file), log: slog.Default()}
	if opts != nil && opts.Logger != nil {
		h.log = opts.Logger
	}
	return h
}

type handler struct {
	fsys fs.FS
	log  *slog.Logger

	mu    sync.Mutex
	files map[string]*file
}

// file is one representation set of a served file.
type file struct {
	name    string
	modTime time.Time
	size    int64 // of the source on disk, to notice rebuilds
	body    []byte
	etag    string // quoted, of body
	gz, br  []byte // nil when unknown
	gzOnce  sync.Once
}

// ErrNotServed reports a request for a name the handler does not serve.
var ErrNotServed = errors.New("dist: not a client file")

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Base(r.URL.Path)
	f, err := h.lookup(name)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrNotServed):
			http.NotFound(w, r)
		case badName(err):
			// The client's mistake, not the server's: no log line per request.
			http.Error(w, "bad request", http.StatusBadRequest)
		default:
			h.log.Error("dist: reading a client file", "name", name, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", contentType(name))
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Public static files: a page of another origin that loads the loader
	// (a script tag needs no CORS) must be able to fetch client.wasm.
	hdr.Set("Access-Control-Allow-Origin", "*")
	if name != LoaderName && r.URL.Query().Get("v") != "" {
		hdr.Set("Cache-Control", cacheImmutable)
	} else {
		hdr.Set("Cache-Control", cacheRevalidate)
	}
	body, etag := f.body, f.etag
	switch enc := negotiate(r.Header.Get("Accept-Encoding"), f.br != nil); enc {
	case "br":
		body, etag = f.br, suffixETag(f.etag, "br")
		hdr.Set("Content-Encoding", "br")
	case "gzip":
		body, etag = f.gzip(), suffixETag(f.etag, "gz")
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", f.modTime, bytes.NewReader(body))
}

// badName reports whether the file system refused the name itself (a NUL
// byte, a name longer than NAME_MAX).
func badName(err error) bool {
	return errors.Is(err, fs.ErrInvalid) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENAMETOOLONG)
}

func suffixETag(etag, s string) string {
	return etag[:len(etag)-1] + "-" + s + `"`
}

func contentType(name string) string {
	if strings.HasSuffix(name, ".wasm") {
		return "application/wasm"
	}
	return "text/javascript; charset=utf-8"
}

// lookup returns the current version of a served file.
func (h *handler) lookup(name string) (*file, error) {
	if name == LoaderName {
		return h.loader()
	}
	if !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".wasm") {
		return nil, ErrNotServed
	}
	if !fs.ValidPath(name) || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, ErrNotServed
	}
	st, err := fs.Stat(h.fsys, name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, ErrNotServed
	}
	h.mu.Lock()
	f := h.files[name]
	h.mu.Unlock()
	if f != nil && f.size == st.Size() && f.modTime.Equal(st.ModTime()) {
		return f, nil
	}
	body, err := fs.ReadFile(h.fsys, name)
	if err != nil {
		return nil, err
	}
	f = newFile(name, body, st.ModTime(), st.Size())
	// Precompressed variants made by the build, when present and not older.
	if b, ok := h.variant(name+".br", st.ModTime()); ok {
		f.br = b
	}
	if b, ok := h.variant(name+".gz", st.ModTime()); ok {
		f.gz = b
		f.gzOnce.Do(func() {})
	}
	h.mu.Lock()
	h.files[name] = f
	h.mu.Unlock()
	return f, nil
}

func (h *handler) variant(name string, notBefore time.Time) ([]byte, bool) {
	st, err := fs.Stat(h.fsys, name)
	if err != nil || st.ModTime().Before(notBefore) {
		return nil, false
	}
	b, err := fs.ReadFile(h.fsys, name)
	if err != nil || len(b) == 0 {
		return nil, false
	}
	return b, true
}

// loader returns socket.io.js with the version of the wasm files in it, so
// that a rebuilt client is fetched again while an unchanged one comes from
// the browser's cache.
func (h *handler) loader() (*file, error) {
	sum := sha256.New()
	var newest time.Time
	for _, n := range []string{RuntimeName, ClientName} {
		f, err := h.lookup(n)
		if err != nil {
			// The loader is still served: its failure to load the client
			// is reported in the page, where the developer looks.
			sum.Write([]byte("missing " + n))
			continue
		}
		sum.Write([]byte(f.etag))
		if f.modTime.After(newest) {
			newest = f.modTime
		}
	}
	version := hex.EncodeToString(sum.Sum(nil)[:8])
	h.mu.Lock()
	f := h.files[LoaderName]
	h.mu.Unlock()
	if f != nil && f.version() == version {
		return f, nil
	}
	body := bytes.Replace(loaderSource, []byte(versionMark), []byte(version), 1)
	f = newFile(LoaderName, body, newest, int64(len(body)))
	h.mu.Lock()
	h.files[LoaderName] = f
	h.mu.Unlock()
	return f, nil
}

func newFile(name string, body []byte, mod time.Time, size int64) *file {
	sum := sha256.Sum256(body)
	return &file{name: name, body: body, modTime: mod, size: size, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// version is the loader's embedded version (for the cache of the loader).
func (f *file) version() string {
	i := bytes.Index(f.body, []byte(`var VERSION = "`))
	if i < 0 {
		return ""
	}
	rest := f.body[i+len(`var VERSION = "`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}
