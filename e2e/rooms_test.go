//go:build !js

package e2e

import (
	"strings"
	"testing"
)

// TestRoomsThreeTabs: three browser tabs with the wasm io; red = {a, b},
// blue = {c}. A broadcast to a room reaches its members but the sender, and
// no one else.
func TestRoomsThreeTabs(t *testing.T) {
	g := startGoServer(t, goServerOptions{})
	tabs := map[string]*tab{}
	for _, name := range []string{"a", "b", "c"} {
		tb := newTab(t, name)
		tb.navigate(g.origin + "/testdata/drive.html")
		tb.waitConsole("log: connect ", waitLong)
		tabs[name] = tb
	}
	for name, room := range map[string]string{"a": "red", "b": "red", "c": "blue"} {
		if got := eval[string](tabs[name], `s.timeout(5000).emitWithAck("join", "`+room+`")`); got != room {
			t.Fatalf("tab %s joined %q, want %q", name, got, room)
		}
	}
	// a -> red: b only (binary included).
	eval[bool](tabs["a"], `s.emit("broadcast", "red", "from-a", {n: 1, bin: new Uint8Array([7, 8, 9])}), true`)
	// (The Go server's broadcast handler decodes the arguments into Go
	// values: the keys of a map come out sorted.)
	tabs["b"].waitConsole(`event broadcast ["from-a",{"bin":"bin:7,8,9","n":1}]`, waitShort)
	// c -> red (not a member): a and b.
	eval[bool](tabs["c"], `s.emit("broadcast", "red", "from-c"), true`)
	tabs["a"].waitConsole(`event broadcast ["from-c"]`, waitShort)
	tabs["b"].waitConsole(`event broadcast ["from-c"]`, waitShort)
	// b -> blue: c only.
	eval[bool](tabs["b"], `s.emit("broadcast", "blue", "from-b"), true`)
	tabs["c"].waitConsole(`event broadcast ["from-b"]`, waitShort)
	// A later broadcast to a and b marks the end: what a tab did not get by
	// then, it never gets (one server, one ordered session per tab).
	eval[bool](tabs["c"], `s.emit("broadcast", "red", "end"), s.emit("broadcast", "blue", "never"), true`)
	tabs["a"].waitConsole(`event broadcast ["end"]`, waitShort)
	tabs["b"].waitConsole(`event broadcast ["end"]`, waitShort)
	for name, unwanted := range map[string][]string{
		"a": {"from-a", "from-b", "never"},
		"b": {"from-b", "never"},
		"c": {"from-a", "from-c", "end", "never"},
	} {
		for _, u := range unwanted {
			if n := tabs[name].countConsole(`"` + u + `"`); n != 0 {
				t.Errorf("tab %s got %q %d times:\n%s", name, u, n, tabs[name].console())
			}
		}
	}
	for name, tb := range tabs {
		if ex := tb.exceptions(); len(ex) > 0 {
			t.Errorf("tab %s: uncaught exceptions: %s", name, strings.Join(ex, "\n"))
		}
	}
}
