//go:build !js

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// BenchmarkBrowserAck: the main-thread time per ack of the page, through
// the loader's fast path (Socket._sendAck) and through Go (the fast path
// turned off on the socket), in alternating rounds: the page holds the acks
// of 1,000 events the loader dispatched, then calls them all and emits a
// marker with an ack, whose answer says that every ack is on the wire. The
// time is what the V8 sampling profiler saw the main thread busy with (its
// samples but idle ones), from the first call to the marker's answer: the
// Go path's work on its queue, after the calls return, counts too; the
// calls alone are timed as well (call-fast, call-go).
func BenchmarkBrowserAck(b *testing.B) {
	const acks = 1000
	g := ackServer(b)
	tb := newTab(b, "ack-bench")
	tb.navigate(g.origin + "/testdata/drive.html?" + url.Values{"opts": {`{"transports":["websocket"]}`}}.Encode())
	tb.waitConsole("log: connect ", waitLong)
	eval[bool](tb, `(() => {
		console.log = () => {}; // drive.js logs every event
		window.held = [];
		s.on("q", (tag, i, ack) => held.push(ack));
		window.hold = (n) => new Promise((res) => {
			held = [];
			s.emit("req", "bench", n);
			const t = setInterval(() => { if (held.length === n) { clearInterval(t); res(true); } }, 5);
		});
		window.ackAll = (viaGo) => new Promise((res) => {
			if (viaGo) s._sendAck = () => false;
			else delete s._sendAck;
			const a0 = io.duplex.stats.acked, t0 = performance.now();
			for (let i = 0; i < held.length; i++) held[i]("ok", i);
			const loop = performance.now() - t0;
			s.emit("a", 0, () => res([io.duplex.stats.acked - a0, loop]));
		});
		return true;
	})()`)
	run := func(f func(ctx context.Context, t *chromedp.Target) error) {
		if err := chromedp.Do(tb.ctx, chromedp.Func(f)); err != nil {
			b.Fatal(err)
		}
	}
	busy := map[bool]float64{} // µs of main thread, by viaGo
	loop := map[bool]float64{} // µs in the calls themselves
	for i := 0; i < b.N; i++ {
		for _, viaGo := range []bool{false, true} {
			eval[bool](tb, fmt.Sprintf("hold(%d)", acks))
			run(func(ctx context.Context, t *chromedp.Target) error {
				if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
					return err
				}
				_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
				return err
			})
			r := eval[[]float64](tb, fmt.Sprintf("ackAll(%t)", viaGo))
			fast := int(r[0])
			loop[viaGo] += r[1] * 1000
			var prof *profiler.Profile
			run(func(ctx context.Context, t *chromedp.Target) error {
				r, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
				prof = r.Profile
				return err
			})
			if want := acks; !viaGo && fast != want || viaGo && fast != 0 {
				b.Fatalf("viaGo=%t: %d acks on the fast path", viaGo, fast)
			}
			nodes, _ := profileTree(prof)
			for k, id := range prof.Samples {
				// TimeDeltas[k+1]: the time from sample k to the next.
				if nodes[id].CallFrame.FunctionName != "(idle)" && k+1 < len(prof.TimeDeltas) {
					busy[viaGo] += float64(prof.TimeDeltas[k+1])
				}
			}
		}
	}
	n := float64(b.N * acks)
	b.ReportMetric(busy[false]/n, "µs/ack-fast")
	b.ReportMetric(busy[true]/n, "µs/ack-go")
	b.ReportMetric(loop[false]/n, "µs/call-fast")
	b.ReportMetric(loop[true]/n, "µs/call-go")
}
