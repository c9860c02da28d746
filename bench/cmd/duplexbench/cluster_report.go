//go:build !js

package main

import (
	"fmt"
	"io"
	"strings"
)

// clusterGoal is one of the cluster goals for one mode, computed
// from the medians of the cluster runs.
type clusterGoal struct {
	mode   string
	goal   string  // what is asked
	figure string  // what was measured, in words
	value  float64 // the measured ratio
	ok     bool    // false: a figure is missing (runs failed)
	met    bool
}

// Targets of issue #9.
const (
	goalPerCore    = 5.0 // duplex ≥ 5× Node's delivered messages per server CPU second
	goalCrossRatio = 2.0 // p99 cross-node ≤ 2× p99 single-node
)

// clusterGoals computes, per mode, the duplex/Node ratio of delivered
// messages per server CPU second and, per server, the cross-node p99 over
// the single-node p99.
func clusterGoals(r *results, modes []string, servers []string) []clusterGoal {
	median := func(sc, metric, server string) (float64, bool) {
		return medianF(r.values[sc][metric][server])
	}
	var single string
	for _, sc := range r.order {
		if sc.kind == "cluster-"+singleMode {
			single = sc.name
		}
	}
	var out []clusterGoal
	for _, m := range modes {
		var name string
		for _, sc := range r.order {
			if sc.kind == "cluster-"+m {
				name = sc.name
			}
		}
		d, dok := median(name, cmMsgsPerCore, "duplex")
		n, nok := median(name, cmMsgsPerCore, "node")
		g := clusterGoal{mode: m, goal: fmt.Sprintf("duplex ≥ %g× Node's throughput per server core", goalPerCore), figure: "delivered msgs per server CPU second, duplex / Node", ok: dok && nok && n > 0}
		if g.ok {
			g.value = d / n
			g.met = g.value >= goalPerCore
		}
		out = append(out, g)
		for _, s := range servers {
			c, cok := median(name, cmP99Cross, s)
			one, sok := median(single, cmP99Single, s)
			g := clusterGoal{mode: m, goal: fmt.Sprintf("%s: p99 cross-node ≤ %g× single-node", serverTitle(s), goalCrossRatio), figure: fmt.Sprintf("p99 cross-node / p99 single node (%s)", serverTitle(s)), ok: cok && sok && one > 0}
			if g.ok {
				g.value = c / one
				g.met = g.value <= goalCrossRatio
			}
			out = append(out, g)
		}
	}
	return out
}

func serverTitle(s string) string {
	for _, c := range columns {
		if c.server == s {
			return c.title
		}
	}
	return s
}

// writeClusterGoals prints the goals as a markdown table.
func writeClusterGoals(w io.Writer, goals []clusterGoal) {
	fmt.Fprintln(w, "| mode | goal (issue #9) | measured | value | met? |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, g := range goals {
		v, met := "—", "— (no figure: runs failed or not run)"
		if g.ok {
			v = strings.TrimSpace(format(g.value)) + "×"
			met = map[bool]string{true: "yes", false: "**no**"}[g.met]
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", g.mode, g.goal, g.figure, v, met)
	}
}
