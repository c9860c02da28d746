//go:build !js

package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// goal is the target for one figure of the duplex server.
type goal struct {
	text string
	met  func(v float64) bool
}

// goals maps "kind/metric" (or "scenario/metric") to its target.
var goals = map[string]goal{
	"connect/server CPU per connect":                                                  {"≤ 100 µs", func(v float64) bool { return v <= 100 }},
	"connect 5000/RSS per idle connection":                                            {"≤ 10 KB", func(v float64) bool { return v <= 10 }},
	"connect/RSS after all left, vs start (raw, 1st cycle)":                           {"≤ 10 %", func(v float64) bool { return v <= 10 }},
	"connect/" + memMetricFreedRSS:                                                    {"≤ 10 %", func(v float64) bool { return v <= 10 }},
	"connect/RSS after all left, 2nd cycle vs 1st (raw; steady state)":                {"≤ 10 % (cycle over cycle)", func(v float64) bool { return v <= 10 }},
	"connect/RSS after all left, 2nd cycle vs 1st (after FreeOSMemory; steady state)": {"≤ 10 % (cycle over cycle)", func(v float64) bool { return v <= 10 }},
	"connect/heap in use after all left, vs start":                                    {"≤ 10 %", func(v float64) bool { return v <= 10 }},
	"connect/heap growth over the 2nd cycle, per connection (leak check)":             {"≤ 64 B (no leak)", func(v float64) bool { return v <= 64 }},
	"echo/server CPU per round trip":                                                  {"≤ 7 µs", func(v float64) bool { return v <= 7 }},
	"echo/latency p99":                                                                {"≤ 2 ms", func(v float64) bool { return v <= 2 }},
	"bcast/server CPU per delivered msg":                                              {"≤ 3 µs", func(v float64) bool { return v <= 3 }},
	"room/server CPU per delivered msg":                                               {"≤ 3 µs", func(v float64) bool { return v <= 3 }},
	"slow/delivery time, one stalled / none":                                          {"≤ 1.5× (not slowed)", func(v float64) bool { return v <= 1.5 }},
	"slow/peak RSS growth per MB sent to the stalled client":                          {"≤ 100 KB/MB (bounded)", func(v float64) bool { return v <= 100 }},
}

func goalFor(sc scenario, m string) (goal, bool) {
	if g, ok := goals[sc.name+"/"+m]; ok {
		return g, true
	}
	g, ok := goals[sc.kind+"/"+m]
	return g, ok
}

// results collects every round's figures: scenario -> metric -> server -> values.
type results struct {
	order   []scenario
	metrics map[string][]metric // scenario name -> metric order (first seen)
	values  map[string]map[string]map[string][]float64
	errs    map[string]map[string][]string
	skips   map[string]map[string]string // scenario -> server -> why
}

func newResults(scs []scenario) *results {
	return &results{order: scs, metrics: map[string][]metric{}, values: map[string]map[string]map[string][]float64{}, errs: map[string]map[string][]string{}, skips: map[string]map[string]string{}}
}

func (r *results) add(sc scenario, server string, ms []metric) {
	if r.values[sc.name] == nil {
		r.values[sc.name] = map[string]map[string][]float64{}
	}
	for _, m := range ms {
		if !slices.ContainsFunc(r.metrics[sc.name], func(x metric) bool { return x.name == m.name }) {
			r.metrics[sc.name] = append(r.metrics[sc.name], m)
		}
		if r.values[sc.name][m.name] == nil {
			r.values[sc.name][m.name] = map[string][]float64{}
		}
		r.values[sc.name][m.name][server] = append(r.values[sc.name][m.name][server], m.value)
	}
}

func (r *results) fail(sc scenario, server string, err error) {
	if r.errs[sc.name] == nil {
		r.errs[sc.name] = map[string][]string{}
	}
	r.errs[sc.name][server] = append(r.errs[sc.name][server], err.Error())
}

func (r *results) skip(sc scenario, server, why string) {
	if r.skips[sc.name] == nil {
		r.skips[sc.name] = map[string]string{}
	}
	r.skips[sc.name][server] = why
}

func medianF(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

func format(v float64) string {
	switch a := max(v, -v); {
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// columns are the servers' table columns, in this order when present.
var columns = []struct{ server, title string }{
	{"duplex", "duplex"},
	{"duplex-fast", "duplex-fast (server.Serve)"},
	{"node", "Node"},
	{"floor", "floor (Go net minimum: a measurement, not a competitor)"},
}

// write prints the markdown table of medians: one column per server, the
// duplex/Node and duplex/floor ratios, the target for duplex and
// whether each server meets it.
func (r *results) write(w io.Writer, servers []string, rounds int) {
	var cols []string
	head := "| scenario | metric |"
	for _, c := range columns {
		if slices.Contains(servers, c.server) {
			cols = append(cols, c.server)
			head += fmt.Sprintf(" %s (median, n runs of %d) |", c.title, rounds)
		}
	}
	var ratios []string
	for _, o := range []string{"node", "floor"} {
		if slices.Contains(cols, "duplex") && slices.Contains(cols, o) {
			ratios = append(ratios, o)
			head += fmt.Sprintf(" duplex/%s |", map[string]string{"node": "Node", "floor": "floor"}[o])
		}
	}
	fastRatio := slices.Contains(cols, "duplex-fast") && slices.Contains(cols, "node")
	extra := 0
	if fastRatio {
		head += " duplex-fast/Node |"
		extra = 1
	}
	fmt.Fprintln(w, head+" target (duplex) | met? |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", 4+len(cols)+len(ratios)+extra))
	for _, sc := range r.order {
		for _, m := range r.metrics[sc.name] {
			vals := r.values[sc.name][m.name]
			row := fmt.Sprintf("| %s | %s |", sc.name, m.name)
			for _, s := range cols {
				v, ok := medianF(vals[s])
				switch {
				case ok:
					row += fmt.Sprintf(" %s (n=%d) |", strings.TrimSpace(format(v)+" "+m.unit), len(vals[s]))
				case r.skips[sc.name][s] != "":
					row += " skipped |"
				default:
					row += " — |"
				}
			}
			d, dok := medianF(vals["duplex"])
			for _, o := range ratios {
				// A ratio of a negative or zero figure (a change in %
				// that went down) means nothing: left out.
				if v, ok := medianF(vals[o]); dok && ok && v > 0 && d >= 0 {
					row += fmt.Sprintf(" %.2f |", d/v)
				} else {
					row += " — |"
				}
			}
			if fastRatio {
				f, fok := medianF(vals["duplex-fast"])
				if v, ok := medianF(vals["node"]); fok && ok && v > 0 && f >= 0 {
					row += fmt.Sprintf(" %.2f |", f/v)
				} else {
					row += " — |"
				}
			}
			tgt, met := "", ""
			if g, ok := goalFor(sc, m.name); ok {
				tgt = g.text
				if dok {
					met = map[bool]string{true: "yes", false: "**no**"}[g.met(d)]
				}
				for _, s := range cols {
					if v, ok := medianF(vals[s]); ok && s != "duplex" {
						met += fmt.Sprintf(" (%s: %s)", map[string]string{"node": "Node", "floor": "floor", "duplex-fast": "duplex-fast"}[s], map[bool]string{true: "yes", false: "no"}[g.met(v)])
					}
				}
			}
			fmt.Fprintf(w, "%s %s | %s |\n", row, tgt, strings.TrimSpace(met))
		}
	}
	var notes []string
	for _, sc := range r.order {
		for _, s := range servers {
			if why := r.skips[sc.name][s]; why != "" {
				notes = append(notes, fmt.Sprintf("- %s on %s: skipped (%s)", sc.name, s, why))
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nSkipped, not faked:")
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	var errs []string
	for _, sc := range r.order {
		for _, s := range servers {
			for _, e := range r.errs[sc.name][s] {
				errs = append(errs, fmt.Sprintf("- %s on %s: %s", sc.name, s, strings.ReplaceAll(e, "\n", " ")))
			}
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "\nFailed runs (not in the medians):")
		for _, e := range errs {
			fmt.Fprintln(w, e)
		}
	}
}
