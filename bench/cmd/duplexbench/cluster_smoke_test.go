//go:build !js

package main

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
)

// TestClusterSmoke runs the cluster group once, small, on a real
// redis-server (the runner starts it: the test fails without one) with the
// duplex cluster node (built as the runner builds it) and the Node one, in
// every mode: no run may fail (a lost, late or unstamped message fails it),
// every figure must be there for both, and so must every goal's figure.
func TestClusterSmoke(t *testing.T) {
	root := filepath.Dir(nodetest.Root(t)) // fails loudly without node / the npm packages
	cfg := &config{
		rounds:             1,
		connectConcurrency: 8,
		sourceAddrs:        2,
		bcastTimeout:       20 * time.Second,
		scenarioTimeout:    60 * time.Second,
	}
	cc := &clusterConfig{modes: []string{"streams", "classic", "sharded"}, clients: 40, count: 400, size: 128, bursts: 3, paced: 5, interval: time.Millisecond}
	bin, err := goBuild(t.Context(), root, t.TempDir(), "./bench/clusterserver")
	if err != nil {
		t.Fatal(err)
	}
	servers := []string{"duplex", "node"}
	launchers := map[string]clusterLauncher{"duplex": duplexClusterNode(root, bin, -1, ""), "node": nodeClusterNode(root, -1)}
	var logs strings.Builder
	res, err := runClusterGroup(t.Context(), cfg, cc, launchers, servers, -1, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	res.write(&table, servers, cfg.rounds)
	writeClusterGoals(&table, clusterGoals(res, cc.modes, servers))
	t.Logf("\n%s", table.String())
	for _, sc := range res.order {
		for _, s := range servers {
			if errs := res.errs[sc.name][s]; len(errs) > 0 {
				t.Errorf("%s on %s: %s", sc.name, s, strings.Join(errs, "; "))
			}
			for _, m := range res.metrics[sc.name] {
				if len(res.values[sc.name][m.name][s]) != 1 {
					t.Errorf("%s / %s: no figure for %s", sc.name, m.name, s)
				}
			}
		}
		if n := len(res.metrics[sc.name]); n < 8 {
			t.Errorf("%s: %d figures", sc.name, n)
		}
	}
	for _, g := range clusterGoals(res, cc.modes, servers) {
		if !g.ok {
			t.Errorf("goal %q of %s: no figure", g.goal, g.mode)
		}
	}
	if t.Failed() {
		t.Logf("runner log:\n%s", logs.String())
	}
}
