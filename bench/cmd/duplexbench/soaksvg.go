//go:build !js

package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// soakSVG plots the soak's time series, one panel per figure (ack latency
// p50 and p99, server RSS, goroutines, server CPU per message), one colour
// per server, into a standalone SVG document.
func soakSVG(runs []*soakRun) []byte {
	type series struct {
		label  string
		color  string
		dashed bool
		pts    [][2]float64
	}
	type panel struct {
		title, unit string
		log         bool // log10 scale from 0.1
		series      []series
	}
	colors := map[string]string{"duplex": "#1f77b4", "node": "#d62728"}
	pick := func(f func(soakSample) float64, dashedName string) func(r *soakRun) series {
		return func(r *soakRun) series {
			s := series{label: r.Server + dashedName, color: colors[r.Server], dashed: dashedName != ""}
			if s.color == "" {
				s.color = "#555555"
			}
			for _, x := range r.Samples {
				if v := f(x); v >= 0 {
					s.pts = append(s.pts, [2]float64{x.At, v})
				}
			}
			return s
		}
	}
	mk := func(title, unit string, fs ...func(r *soakRun) series) panel {
		p := panel{title: title, unit: unit}
		for _, r := range runs {
			for _, f := range fs {
				if s := f(r); len(s.pts) > 0 {
					p.series = append(p.series, s)
				}
			}
		}
		return p
	}
	lat := mk("ack latency p50 (solid) and p99 (dashed), log scale", "ms",
		pick(func(s soakSample) float64 { return s.P50 }, ""), pick(func(s soakSample) float64 { return s.P99 }, " p99"))
	lat.log = true
	panels := []panel{
		lat,
		mk("server RSS", "MB", pick(func(s soakSample) float64 { return s.RSS }, "")),
		mk("server goroutines (Go servers only)", "", pick(func(s soakSample) float64 { return s.Goroutines }, "")),
		mk("server CPU per message (acked events + deliveries)", "µs", pick(func(s soakSample) float64 { return s.CPUPerMsg }, "")),
		mk("load generator CPU (% of its core; near 100: the latencies are its own)", "%", pick(func(s soakSample) float64 { return s.LoadgenCPU }, "")),
	}
	const (
		width, panelH = 900, 220
		left, right   = 80, 170
		top, gap      = 50, 60
		plotW         = width - left - right
		plotH         = panelH - 40
	)
	height := top + len(panels)*(panelH+gap)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	title := "Soak:"
	for _, r := range runs {
		title += fmt.Sprintf(" %s %d ws + %d polling clients, %s;", r.Server, r.WS, r.Polling, r.Duration)
	}
	fmt.Fprintf(&b, `<text x="%d" y="25" font-size="14" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	for i, p := range panels {
		y0 := top + i*(panelH+gap)
		xmax, ymax := 1.0, 0.0
		for _, s := range p.series {
			for _, pt := range s.pts {
				xmax, ymax = math.Max(xmax, pt[0]), math.Max(ymax, pt[1])
			}
		}
		ymax = niceCeil(ymax)
		const ymin = 0.1                   // log panels
		scale := func(v float64) float64 { // 0..1 of the plot height
			if !p.log {
				return v / math.Max(ymax, 1e-9)
			}
			return (math.Log10(math.Max(v, ymin)) - math.Log10(ymin)) / (math.Log10(math.Max(ymax, 1)) - math.Log10(ymin))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", left, y0+5, html.EscapeString(p.title))
		py := y0 + 20
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", left, py, plotW, plotH)
		for k := 0; k <= 4; k++ {
			v := ymax * float64(k) / 4
			if p.log {
				v = ymin * math.Pow(math.Max(ymax, 1)/ymin, float64(k)/4)
			}
			y := float64(py+plotH) - float64(plotH)*scale(v)
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`+"\n", left, y, left+plotW, y)
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-5, y+4, html.EscapeString(format(v)+" "+p.unit))
		}
		for k := 0; k <= 5; k++ {
			v := xmax * float64(k) / 5
			x := float64(left) + float64(plotW)*float64(k)/5
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%.0f s</text>`+"\n", x, py+plotH+15, v)
		}
		for j, s := range p.series {
			var path bytes.Buffer
			for k, pt := range s.pts {
				x := float64(left) + float64(plotW)*pt[0]/xmax
				y := float64(py+plotH) - float64(plotH)*scale(pt[1])
				cmd := "L"
				if k == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&path, "%s%.1f,%.1f ", cmd, x, y)
			}
			dash := ""
			if s.dashed {
				dash = ` stroke-dasharray="6,4"`
			}
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.5"%s/>`+"\n", path.String(), s.color, dash)
			ly := py + 15 + 18*j
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", left+plotW+10, ly, left+plotW+35, ly, s.color, dash)
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", left+plotW+40, ly+4, html.EscapeString(s.label))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (1 for v <= 0).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
