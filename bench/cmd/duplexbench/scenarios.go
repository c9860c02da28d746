//go:build !js

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
)

// target is one running server under test.
type target struct {
	name  string
	addr  string
	pid   int
	alive func() error
	stop  func()
	prof  profiler // may be a no-op
	// heap returns the server's live heap in bytes after a GC (with free,
	// after returning freed memory to the OS); nil when the server cannot
	// tell (Node).
	heap func(free bool) (uint64, error)
}

// readHeap is t.heap, or 0 and false without one.
func (t *target) readHeap(free bool) (uint64, bool, error) {
	if t.heap == nil {
		return 0, false, nil
	}
	n, err := t.heap(free)
	return n, err == nil, err
}

// profiler starts and stops CPU profiles and writes heap profiles of the
// server, named after the scenario; the zero value does nothing.
type profiler struct {
	cpuStart func(name string) error
	cpuStop  func() error
	heap     func(name string) error
}

func (p profiler) startCPU(name string) error {
	if p.cpuStart == nil {
		return nil
	}
	return p.cpuStart(name)
}

func (p profiler) stopCPU() error {
	if p.cpuStop == nil {
		return nil
	}
	return p.cpuStop()
}

func (p profiler) writeHeap(name string) error {
	if p.heap == nil {
		return nil
	}
	return p.heap(name)
}

// metric is one measured figure of a scenario on one server.
type metric struct {
	name  string
	unit  string
	value float64
}

// scenario is one named benchmark: it gets a fresh server.
type scenario struct {
	name string // e.g. "connect 5000"
	kind string // e.g. "connect", for targets
	run  func(ctx context.Context, cfg *config, t *target) ([]metric, error)
}

// window measures the server's CPU time over a phase, and the load
// generator's own (to show when it, not the server, is the bottleneck).
type window struct {
	t       *target
	cpu0    time.Duration
	self0   time.Duration
	at      time.Time
	selfCPU time.Duration // set by end
	wall    time.Duration // set by end
}

func begin(t *target) (*window, error) {
	cpu, err := cpuTime(t.pid)
	self, serr := cpuTime(os.Getpid())
	return &window{t: t, cpu0: cpu, self0: self, at: time.Now()}, errors.Join(err, serr)
}

func (w *window) end() (cpu, wall time.Duration, err error) {
	cpu1, err := cpuTime(w.t.pid)
	self1, serr := cpuTime(os.Getpid())
	w.wall = time.Since(w.at)
	w.selfCPU = self1 - w.self0
	return cpu1 - w.cpu0, w.wall, errors.Join(err, serr)
}

// loadgenBusy is the load generator's CPU use over the window, in % of one
// core: near 100 % (pinned) it, not the server, limits the throughput.
func (w *window) loadgenBusy() metric {
	return metric{"loadgen CPU (bottleneck if ~100)", "%", 100 * float64(w.selfCPU) / float64(w.wall)}
}

// serverBusy is the server's CPU use over the window in % of one core.
func serverBusy(cpu, wall time.Duration) metric {
	return metric{"server CPU (of one core)", "%", 100 * float64(cpu) / float64(wall)}
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func scenarios(cfg *config) []scenario {
	var out []scenario
	for _, name := range cfg.scenarios {
		switch name {
		case "connect":
			for _, n := range cfg.conns {
				out = append(out, scenario{name: fmt.Sprintf("connect %d", n), kind: "connect", run: func(ctx context.Context, cfg *config, t *target) ([]metric, error) {
					return runConnect(ctx, cfg, t, n)
				}})
			}
		case "echo":
			out = append(out, scenario{name: fmt.Sprintf("echo %d clients", cfg.echoClients), kind: "echo", run: runEcho})
		case "bcast":
			out = append(out, bcastScenario(cfg, "bcast", 128, false))
		case "bcast1k":
			out = append(out, bcastScenario(cfg, "bcast", 1024, false))
		case "room":
			out = append(out, bcastScenario(cfg, "room", 128, true))
		case "slow":
			out = append(out, scenario{name: fmt.Sprintf("slow consumer %d+1", cfg.bcastClients), kind: "slow", run: runSlow})
		}
	}
	return out
}

func dialer(cfg *config, t *target) *loadgen.Dialer {
	return loadgen.NewDialer(t.addr, &loadgen.DialOptions{SourceAddrs: cfg.sourceAddrs})
}

func runConnect(ctx context.Context, cfg *config, t *target, n int) ([]metric, error) {
	d := dialer(cfg, t)
	defer d.Close()
	if err := sleepCtx(ctx, cfg.warmup); err != nil {
		return nil, err
	}
	rss0, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	heap0, hasHeap, err := t.readHeap(false)
	if err != nil {
		return nil, err
	}
	w, err := begin(t)
	if err != nil {
		return nil, err
	}
	if err := t.prof.startCPU(fmt.Sprintf("connect-%d", n)); err != nil {
		return nil, err
	}
	conns, err := loadgen.Connect(ctx, d, n, cfg.connectConcurrency)
	cpu, wall, werr := w.end()
	if perr := t.prof.stopCPU(); err == nil {
		err = perr
	}
	if err != nil {
		return nil, err
	}
	defer loadgen.CloseAll(conns)
	if werr != nil {
		return nil, werr
	}
	if err := sleepCtx(ctx, cfg.settle); err != nil {
		return nil, err
	}
	rss1, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	heap1, _, err := t.readHeap(false)
	if err != nil {
		return nil, err
	}
	if err := t.prof.writeHeap(fmt.Sprintf("idle-%d", n)); err != nil {
		return nil, err
	}
	if err := loadgen.Failed(conns); err != nil {
		return nil, fmt.Errorf("connections dropped while idle: %w", err)
	}
	loadgen.CloseAll(conns)
	if err := sleepCtx(ctx, cfg.leaveSettle); err != nil {
		return nil, err
	}
	rss2, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	ms := []metric{
		{"server CPU per connect", "µs", micros(cpu) / float64(n)},
		{"connects/s", "1/s", float64(n) / wall.Seconds()},
		serverBusy(cpu, wall),
		w.loadgenBusy(),
		{"RSS per idle connection", "KB", float64(rss1-rss0) / float64(n)},
		{"RSS after all left, vs start", "%", 100 * float64(rss2-rss0) / float64(rss0)},
		{"RSS kept after all left, per former connection", "KB", float64(rss2-rss0) / float64(n)},
		{"RSS at start", "MB", float64(rss0) / 1024},
	}
	if !hasHeap {
		return ms, nil
	}
	// The raw RSS above keeps what the Go runtime freed but has not returned
	// to the OS yet. The live heap shows whether anything leaked; the RSS
	// after debug.FreeOSMemory shows the memory once returned.
	heap2, _, err := t.readHeap(true)
	if err != nil {
		return nil, err
	}
	if err := t.prof.writeHeap(fmt.Sprintf("left-%d", n)); err != nil {
		return nil, err
	}
	rss3, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	// The same again: what the first cycle left that the runtime keeps for
	// reuse (goroutine descriptors, grown maps) is reused, so a leak shows
	// as growth from the first cycle's end to the second's.
	again, err := loadgen.Connect(ctx, d, n, cfg.connectConcurrency)
	if err != nil {
		return nil, fmt.Errorf("second cycle: %w", err)
	}
	loadgen.CloseAll(again)
	if err := sleepCtx(ctx, cfg.settle); err != nil {
		return nil, err
	}
	heap3, _, err := t.readHeap(true)
	if err != nil {
		return nil, err
	}
	return append(ms,
		metric{heapMetrics[5], "B", (float64(heap3) - float64(heap2)) / float64(n)},
		metric{heapMetrics[0], "KB", (float64(heap1) - float64(heap0)) / 1024 / float64(n)},
		metric{heapMetrics[1], "%", 100 * (float64(heap2) - float64(heap0)) / float64(heap0)},
		metric{heapMetrics[2], "MB", float64(heap0) / (1 << 20)},
		metric{heapMetrics[4], "B", (float64(heap2) - float64(heap0)) / float64(n)},
		metric{heapMetrics[3], "%", 100 * float64(rss3-rss0) / float64(rss0)},
	), nil
}

// heapMetrics are the connect scenario's figures of a server that reports its
// heap (target.heap): duplex only.
var heapMetrics = [...]string{
	"heap in use per idle connection",
	"heap in use after all left, vs start",
	"heap in use at start",
	"RSS after all left (after FreeOSMemory), vs start",
	"heap kept after all left, per former connection",
	"heap growth over a 2nd connect+leave cycle, per connection (leak check)",
}

func runEcho(ctx context.Context, cfg *config, t *target) ([]metric, error) {
	d := dialer(cfg, t)
	defer d.Close()
	conns, err := loadgen.Connect(ctx, d, cfg.echoClients, cfg.connectConcurrency)
	if err != nil {
		return nil, err
	}
	defer loadgen.CloseAll(conns)
	if cfg.warmup > 0 {
		if _, err := loadgen.Echo(ctx, conns, cfg.warmup, 0, 5*time.Second); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	w, err := begin(t)
	if err != nil {
		return nil, err
	}
	if err := t.prof.startCPU("echo"); err != nil {
		return nil, err
	}
	res, err := loadgen.Echo(ctx, conns, cfg.echoDuration, cfg.echoMax, 5*time.Second)
	cpu, wall, werr := w.end()
	if perr := t.prof.stopCPU(); err == nil {
		err = perr
	}
	if err = errors.Join(err, werr); err != nil {
		return nil, err
	}
	if res.Mismatched > 0 {
		return nil, fmt.Errorf("echo: %d acks did not carry the arguments sent", res.Mismatched)
	}
	if cfg.echoMax > 0 && res.RoundTrips != cfg.echoMax*uint64(len(conns)) {
		return nil, fmt.Errorf("echo: %d round trips, want %d", res.RoundTrips, cfg.echoMax*uint64(len(conns)))
	}
	if res.RoundTrips == 0 {
		return nil, errors.New("echo: no round trip completed")
	}
	if err := loadgen.Failed(conns); err != nil {
		return nil, err
	}
	return []metric{
		{"round trips/s", "1/s", float64(res.RoundTrips) / res.Elapsed.Seconds()},
		{"latency p50", "µs", micros(res.Latency.Quantile(0.50))},
		{"latency p99", "ms", float64(res.Latency.Quantile(0.99)) / float64(time.Millisecond)},
		{"server CPU per round trip", "µs", micros(cpu) / float64(res.RoundTrips)},
		serverBusy(cpu, wall),
		w.loadgenBusy(),
	}, nil
}

func bcastScenario(cfg *config, kind string, size int, room bool) scenario {
	name := fmt.Sprintf("bcast %d×%dB to %d", cfg.bcastCount, size, cfg.bcastClients)
	if room {
		name = fmt.Sprintf("bcast %d×%dB to room %d/%d", cfg.bcastCount, size, cfg.roomSize, cfg.bcastClients)
	}
	return scenario{name: name, kind: kind, run: func(ctx context.Context, cfg *config, t *target) ([]metric, error) {
		return runBroadcast(ctx, cfg, t, size, room)
	}}
}

func runBroadcast(ctx context.Context, cfg *config, t *target, size int, room bool) ([]metric, error) {
	d := dialer(cfg, t)
	defer d.Close()
	conns, err := loadgen.Connect(ctx, d, cfg.bcastClients, cfg.connectConcurrency)
	if err != nil {
		return nil, err
	}
	defer loadgen.CloseAll(conns)
	recipients, others := conns, []*loadgen.Conn(nil)
	b := loadgen.Broadcast{Count: cfg.bcastCount, Size: size}
	if room {
		k := min(cfg.roomSize, len(conns))
		recipients, others = conns[:k], conns[k:]
		b.Room = "r"
		if err := loadgen.Join(ctx, recipients, b.Room); err != nil {
			return nil, err
		}
	}
	sender := conns[0]
	// One unmeasured burst warms up both servers (JIT, buffers).
	if _, err := check(loadgen.RunBroadcast(ctx, sender, recipients, others, b, cfg.bcastTimeout)); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	w, err := begin(t)
	if err != nil {
		return nil, err
	}
	if err := t.prof.startCPU(fmt.Sprintf("bcast-%d-room%v", size, room)); err != nil {
		return nil, err
	}
	var delivered int64
	var busy time.Duration
	var times []time.Duration
	for range cfg.bcastBursts {
		res, err := check(loadgen.RunBroadcast(ctx, sender, recipients, others, b, cfg.bcastTimeout))
		if err != nil {
			_ = t.prof.stopCPU()
			return nil, err
		}
		delivered += res.Delivered
		busy += res.Elapsed
		times = append(times, res.Elapsed)
	}
	cpu, wall, werr := w.end()
	if err := errors.Join(t.prof.stopCPU(), werr, loadgen.Failed(conns)); err != nil {
		return nil, err
	}
	return []metric{
		{"delivered msgs/s", "1/s", float64(delivered) / busy.Seconds()},
		{"time to last delivery", "ms", float64(median(times)) / float64(time.Millisecond)},
		{"server CPU per delivered msg", "µs", micros(cpu) / float64(delivered)},
		serverBusy(cpu, wall),
		w.loadgenBusy(),
	}, nil
}

// check turns a broadcast whose counts are wrong into an error.
func check(res loadgen.BroadcastResult, err error) (loadgen.BroadcastResult, error) {
	if err != nil {
		return res, fmt.Errorf("%w (delivered %d of %d)", err, res.Delivered, res.Expected)
	}
	switch {
	case res.Delivered != res.Expected:
		return res, fmt.Errorf("broadcast: delivered %d, want %d", res.Delivered, res.Expected)
	case res.BadSize > 0:
		return res, fmt.Errorf("broadcast: %d messages of the wrong size", res.BadSize)
	case res.Unexpected > 0:
		return res, fmt.Errorf("broadcast: %d messages reached sockets outside the room", res.Unexpected)
	case !res.Acked:
		return res, errors.New("broadcast: no ack")
	}
	return res, nil
}

// runSlow measures a broadcast to cfg.bcastClients readers while one more
// client stops reading: delivery time to the others against the same
// broadcast with everyone reading, and the server's RSS growth while large
// messages pile up for the stalled client.
func runSlow(ctx context.Context, cfg *config, t *target) ([]metric, error) {
	d := dialer(cfg, t)
	defer d.Close()
	readers, err := loadgen.Connect(ctx, d, cfg.bcastClients, cfg.connectConcurrency)
	if err != nil {
		return nil, err
	}
	defer loadgen.CloseAll(readers)
	sender := readers[0]
	b := loadgen.Broadcast{Count: cfg.bcastCount, Size: 1024}
	if _, err := check(loadgen.RunBroadcast(ctx, sender, readers, nil, b, cfg.bcastTimeout)); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	// The stalled client connects last, so that the measurement ends well
	// before the heartbeat (first ping at 25 s, 20 s to answer) ends it.
	slow, err := d.Dial(ctx)
	if err != nil {
		return nil, err
	}
	defer slow.Close()
	slowSince := time.Now()
	conns := append(slices.Clone(readers), slow)
	roomReaders := readers[:min(10, len(readers))]
	if err := loadgen.Join(ctx, append(slices.Clone(roomReaders), slow), "s"); err != nil {
		return nil, err
	}
	burst := func(recipients []*loadgen.Conn) (time.Duration, error) {
		var times []time.Duration
		for range cfg.bcastBursts {
			res, err := check(loadgen.RunBroadcast(ctx, sender, recipients, nil, b, cfg.bcastTimeout))
			if err != nil {
				return 0, err
			}
			times = append(times, res.Elapsed)
		}
		return median(times), nil
	}
	normal, err := burst(conns)
	if err != nil {
		return nil, fmt.Errorf("everyone reading: %w", err)
	}
	slow.Pause()
	stalled, err := burst(readers)
	if err != nil {
		return nil, fmt.Errorf("one client stalled: %w", err)
	}
	// Pile large messages up for the stalled client (and 10 readers in its
	// room), sampling RSS after each burst.
	rss0, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	peak := rss0
	big := loadgen.Broadcast{Count: cfg.bcastCount, Size: 16 << 10, Room: "s"}
	var piled int64
	for range cfg.slowBursts {
		if _, err := check(loadgen.RunBroadcast(ctx, sender, roomReaders, nil, big, cfg.bcastTimeout)); err != nil {
			return nil, fmt.Errorf("room with the stalled client: %w", err)
		}
		piled += int64(big.Count) * int64(big.Size)
		rss, err := rssKB(t.pid)
		if err != nil {
			return nil, err
		}
		peak = max(peak, rss)
	}
	elapsed := time.Since(slowSince)
	if err := t.prof.writeHeap("slow"); err != nil {
		return nil, err
	}
	if err := loadgen.Failed(readers); err != nil {
		return nil, err
	}
	return []metric{
		{"delivery time, one stalled / none", "×", float64(stalled) / float64(normal)},
		{"peak RSS growth per MB sent to the stalled client", "KB/MB", float64(peak-rss0) / (float64(piled) / (1 << 20))},
		{"MB sent to the stalled client", "MB", float64(piled) / (1 << 20)},
		{"stalled client's lifetime at the end (heartbeat ends it at ≥ 45 s)", "s", elapsed.Seconds()},
	}, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
