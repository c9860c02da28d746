//go:build interop && !js

package engine

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
)

// startReference starts the reference engine.io server
// (interop/engine/refserver.js) with the given engine.io options and returns
// its base URL, "http://127.0.0.1:PORT/engine.io/": tests send it the same
// requests as the Go server and compare the answers.
func startReference(t *testing.T, opts map[string]any) string {
	t.Helper()
	b, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := nodetest.Start(t, "engine/refserver.js", nil, string(b))
	l := p.Expect(t, "listening ", 15*time.Second)
	return "http://127.0.0.1:" + strings.TrimPrefix(l, "listening ") + "/engine.io/"
}
