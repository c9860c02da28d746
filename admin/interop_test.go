//go:build interop && !js

package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/server"
)

// adminPackages fails the test when interop/admin is not installed.
func adminPackages(t *testing.T) {
	t.Helper()
	dir := filepath.Join(nodetest.Root(t), "admin", "node_modules", "@socket.io", "admin-ui", "package.json")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("interop/admin is not installed (run make deps, or npm ci in interop/admin): %v", err)
	}
}

// runScenario runs interop/admin/scenario.js against url and returns what
// the admin saw.
func runScenario(t *testing.T, url, password string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := nodetest.Run(t, ctx, nil, "admin/scenario.js", url, password)
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("scenario output %q: %v", out, err)
	}
	return v
}

// TestInteropAdminProtocol: the same scripted clients and admin (the Node
// socket.io-client, as the UI uses it) against the reference (socket.io
// 4.8.4 with instrument() of @socket.io/admin-ui 0.5.1) and against duplex
// with Instrument: the admin sees the same config, sockets (transport,
// rooms), stats, live events and command effects.
func TestInteropAdminProtocol(t *testing.T) {
	adminPackages(t)
	const password = "s3cret"
	h := hash(t, password)

	node := nodetest.Start(t, "admin/node-server.js", []string{"ADMIN_HASH=" + h})
	line := node.Expect(t, "listening ", 30*time.Second)
	ref := runScenario(t, "http://127.0.0.1:"+strings.TrimPrefix(line, "listening "), password)

	srv := server.New(nil)
	srv.OnConnection(func(s *server.Socket) {
		s.On("hello", func(e *server.Event) { s.Join("lobby"); _ = e.Ack("hi") })
	})
	srv.Of("/chat")
	a, err := Instrument(srv, Options{Auth: &BasicAuth{Username: "admin", PasswordHash: h}, ServerID: "node-1"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.Handler(srv))
	defer ts.Close()
	defer srv.Close(context.Background())
	defer a.Close()
	got := runScenario(t, ts.URL, password)
	t.Logf("reference view: %v", ref)

	for _, k := range []string{"refused", "features", "sockets", "stats", "joined", "left", "news", "disconnected", "received", "sessionLogin"} {
		if !reflect.DeepEqual(got[k], ref[k]) {
			g, _ := json.Marshal(got[k])
			r, _ := json.Marshal(ref[k])
			t.Errorf("%s:\nduplex    %s\nreference %s", k, g, r)
		}
	}
	if len(got) != len(ref) {
		t.Errorf("the views differ in their keys: %v vs %v", got, ref)
	}
}
