package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestStaticServing: the demo serves what its pages load and nothing else of
// www/ (issue 10, item 15): no Go sources, no go.mod, no directory listing;
// names the operating system rejects are answered 400 with no log line.
// Before: the chat's Go sources and directory listings were served, and
// /socket.io/%00.js and /%00 answered 500 (the first with an ERROR line).
func TestStaticServing(t *testing.T) {
	d := startRun(t, Timeouts{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	long := strings.Repeat("a", 300)
	for _, tc := range []struct {
		path   string
		status int
		ctype  string // prefix; "" = not checked
		body   string // substring; "" = not checked
	}{
		{"/", 200, "text/html", "/socket.io/socket.io.js"},
		{"/index.html", 200, "text/html", "socket.io.js"},
		{"/chat", 301, "", ""},
		{"/chat/", 200, "text/html", "chat.wasm"},
		{"/chat/chat.css", 200, "text/css", ""},
		{"/socket.io/socket.io.js", 200, "text/javascript", ""}, // the loader (embedded)

		{"/chat/main.go", 404, "", ""},
		{"/chat/page.go", 404, "", ""},
		{"/chat/chatmsg/chatmsg.go", 404, "", ""},
		{"/chat/chatmsg/", 404, "", ""}, // a directory without index.html: no listing
		{"/chat/chatmsg", 404, "", ""},
		{"/go.mod", 404, "", ""},
		{"/missing.html", 404, "", ""},

		{"/socket.io/%00.js", 400, "", ""},
		{"/wasm/%00.js", 400, "", ""},
		{"/%00", 400, "", ""},
		{"/chat/%00.html", 400, "", ""},
		{"/%01.html", 400, "", ""},
		{"/" + long + ".html", 400, "", ""},
		{"/socket.io/" + long + ".js", 400, "", ""},
	} {
		resp, err := noRedirect.Get(d.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET %.60s: %s, want %d", tc.path, resp.Status, tc.status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); tc.ctype != "" && !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.ctype)
		}
		if tc.body != "" && !strings.Contains(string(b), tc.body) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.body)
		}
		if tc.status == 301 && resp.Header.Get("Location") != "/chat/" {
			t.Errorf("GET %s: Location %q", tc.path, resp.Header.Get("Location"))
		}
	}
	if log := d.log.String(); strings.Contains(log, "level=ERROR") || strings.Contains(log, "demo: reading") {
		t.Errorf("requests were logged:\n%s", log)
	}
}

// TestPagesHiddenAndMethods: hidden files are not served, and only GET and
// HEAD are allowed.
func TestPagesHiddenAndMethods(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":     {Data: []byte("<p>hi")},
		".env":           {Data: []byte("SECRET=1")},
		".git/config":    {Data: []byte("[core]")},
		"sub/.hidden.js": {Data: []byte("x")},
	}
	h := pages(fsys, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for target, want := range map[string]int{
		"/":               200,
		"/.env":           404,
		"/.git/config":    404,
		"/sub/.hidden.js": 404,
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != want {
			t.Errorf("GET %s: %d, want %d", target, w.Code, want)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x")))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", w.Code)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/", nil))
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD /: %d with %d bytes", w.Code, w.Body.Len())
	}
}
