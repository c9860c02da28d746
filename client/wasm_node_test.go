//go:build interop && !js

package client

import (
	"path/filepath"
	"testing"
)

// TestWasmUnderNode runs the client built for GOOS=js (fetch polling, the
// WebSocket global, upgrade) under Node against the Node reference server:
// package internal/jsinterop, built with the duplex_jsinterop tag.
func TestWasmUnderNode(t *testing.T) {
	_, url := nodeServer(t)
	exec := filepath.Join(goRoot(t), "lib", "wasm", "go_js_wasm_exec")
	cmd := goCmd(t, "test", "-count=1", "-v", "-tags=duplex_jsinterop", "-exec", exec, "./internal/jsinterop")
	cmd.Env = append(cmd.Env, "DUPLEX_TEST_URL="+url, "NODE_OPTIONS=--experimental-websocket")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("js interop test: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
