package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"syscall"
)

// pageTypes are the kinds of files a page of www/ loads. Anything else under
// www/ (the Go sources of the chat page, go.mod) is not served.
var pageTypes = map[string]bool{
	".html": true, ".css": true, ".js": true, ".mjs": true, ".json": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".ico": true, ".webp": true,
	".txt": true, ".woff2": true,
}

// maxNameLen bounds one element of a request path (NAME_MAX on Linux).
const maxNameLen = 255

// pages serves the pages of fsys: files of the kinds in pageTypes, and
// index.html for a directory. It lists no directory and serves no hidden
// file. A name the operating system would reject (a NUL byte, a control
// character, an element longer than maxNameLen) is answered 400 before the
// file system is asked; failures other than "no such file" are logged once
// per request at Warn, never with the client's name unescaped.
func pages(fsys fs.FS, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		urlPath := r.URL.Path
		if !validRequestPath(urlPath) {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
		if name == "" {
			name = "."
		}
		if hidden(name) {
			http.NotFound(w, r)
			return
		}
		st, err := fs.Stat(fsys, name)
		if err != nil {
			fileError(w, r, err, log)
			return
		}
		if st.IsDir() {
			index := path.Join(name, "index.html")
			if ist, err := fs.Stat(fsys, index); err != nil || !ist.Mode().IsRegular() {
				http.NotFound(w, r) // no listing
				return
			}
			if !strings.HasSuffix(urlPath, "/") {
				http.Redirect(w, r, path.Base(urlPath)+"/", http.StatusMovedPermanently)
				return
			}
			name = index
		} else if !st.Mode().IsRegular() || !pageTypes[strings.ToLower(path.Ext(name))] {
			http.NotFound(w, r)
			return
		}
		f, err := fsys.Open(name)
		if err != nil {
			fileError(w, r, err, log)
			return
		}
		defer f.Close()
		st, err = f.Stat()
		if err != nil {
			fileError(w, r, err, log)
			return
		}
		content, ok := f.(io.ReadSeeker)
		if !ok {
			b, err := io.ReadAll(f)
			if err != nil {
				fileError(w, r, err, log)
				return
			}
			content = bytes.NewReader(b)
		}
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", st.ModTime(), content)
	})
}

// validRequestPath reports whether every element of p is a name a file
// system accepts: no NUL or other control byte, none longer than maxNameLen.
func validRequestPath(p string) bool {
	for elem := range strings.SplitSeq(p, "/") {
		if len(elem) > maxNameLen {
			return false
		}
		for i := 0; i < len(elem); i++ {
			if c := elem[i]; c < 0x20 || c == 0x7f || c == '\\' {
				return false
			}
		}
	}
	return true
}

// hidden reports whether a cleaned, slash-separated name has an element that
// starts with a dot (.git, .env).
func hidden(name string) bool {
	for elem := range strings.SplitSeq(name, "/") {
		if len(elem) > 1 && elem[0] == '.' {
			return true
		}
	}
	return false
}

// fileError answers a request whose file could not be opened: 404 when it
// does not exist, 400 when the operating system rejects the name, 500 (logged
// at Warn) otherwise.
func fileError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		http.NotFound(w, r)
	case errors.Is(err, fs.ErrInvalid), errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENAMETOOLONG):
		http.Error(w, "bad request", http.StatusBadRequest)
	case errors.Is(err, fs.ErrPermission):
		http.Error(w, "forbidden", http.StatusForbidden)
	default:
		log.Warn("demo: reading a page file", "path", r.URL.EscapedPath(), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
