//go:build !js

package memstat_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/duplexio/duplex/bench/memstat"
	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestHandlerRoundTrip(t *testing.T) {
	srv := httptest.NewServer(memstat.Handler())
	defer srv.Close()
	for _, path := range []string{"/mem", "/mem?free=1"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := memstat.Parse(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if s[memstat.HeapObjects] == 0 || s[memstat.Goroutines] == 0 {
			t.Errorf("%s: empty snapshot %v", path, s)
		}
		if total, sum := s["/memory/classes/total:bytes"], s.Sum("/memory/classes/heap/", "/memory/classes/metadata/", "/memory/classes/os-stacks", "/memory/classes/other", "/memory/classes/profiling/"); total != sum {
			t.Errorf("%s: classes sum to %d, total %d", path, sum, total)
		}
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "x\n", "/memory/classes/heap/objects:bytes -1\n"} {
		if _, err := memstat.Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

// TestGoroutineBytes: a goroutine descriptor is at least a few hundred bytes
// and far below a stack; the measurement runs in this test process, whose
// earlier goroutines have ended, so reused descriptors lower it a little.
func TestGoroutineBytes(t *testing.T) {
	g := memstat.GoroutineBytes(2000)
	t.Logf("heap kept per goroutine: %.0f B", g)
	if g < 200 || g > 2048 {
		t.Errorf("heap kept per goroutine %.0f B, want a goroutine descriptor's size (200-2048 B)", g)
	}
}
