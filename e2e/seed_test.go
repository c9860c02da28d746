//go:build !js

package e2e

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedPage loads www/index.html, the seed's page, unchanged in its
// JavaScript, from the demo server: the page logs the server's greeting and
// the server prints the page's hello-message.
//
// The page connects to http://localhost:3000. When 127.0.0.1:3000 is free the
// demo server listens there and the page is served byte for byte; otherwise
// (another server on the machine) the demo listens on a random port and the
// page is served from a copy of www/ where only that URL is rewritten to the
// demo's origin.
func TestSeedPage(t *testing.T) {
	www := filepath.Join(repoRoot(), "www")
	addr := "127.0.0.1:3000"
	pageURL := "http://localhost:3000/"
	if ln, err := net.Listen("tcp", addr); err != nil {
		t.Logf("127.0.0.1:3000 is busy (%v): serving the page with its URL rewritten", err)
		addr = ""
	} else {
		ln.Close()
	}
	if addr == "" {
		// Pick a free port and serve a copy of www/ where only the URL is
		// rewritten to it.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
		pageURL = "http://" + addr + "/"
		www = copyWWW(t, "http://localhost:3000", "http://"+addr)
	}
	d := startDemo(t, addr, www)
	tb := newTab(t, "seed")
	tb.navigate(pageURL)
	line := tb.waitConsole("hello clients", waitLong)
	if !strings.Contains(line, "message") {
		t.Errorf("console line %q is not the hello-server object", line)
	}
	d.waitStdout("hello from client", waitShort)
	if ex := tb.exceptions(); len(ex) > 0 {
		t.Fatalf("uncaught exceptions: %v", ex)
	}
	d.stop()
	if !d.exitedCleanly() {
		t.Errorf("duplex-demo did not exit cleanly after SIGTERM")
	}
}
