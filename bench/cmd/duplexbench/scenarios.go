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
	"github.com/duplexio/duplex/bench/memstat"
)

// target is one running server under test.
type target struct {
	name  string
	addr  string
	pid   int
	alive func() error
	stop  func()
	prof  profiler // may be a no-op
	// mem returns a Go server's runtime memory accounting after a GC (with
	// free, after returning freed memory to the OS: the RSS read next shows
	// it); nil when the server cannot tell (Node). It is read only outside
	// the measured phases.
	mem func(free bool) (memstat.Snapshot, error)
	// memNoGC is mem without a collection first (nil: not available).
	memNoGC func(bool) (memstat.Snapshot, error)
}

// readMem is t.mem, or nil without one.
func (t *target) readMem(free bool) (memstat.Snapshot, error) {
	if t.mem == nil {
		return nil, nil
	}
	return t.mem(free)
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
	// goOnly: from the Go runtime's own accounting (duplex and floor).
	goOnly bool
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
	user0   time.Duration
	sys0    time.Duration
	self0   time.Duration
	at      time.Time
	sys     time.Duration // the server's kernel CPU time; set by end
	selfCPU time.Duration // set by end
	wall    time.Duration // set by end
	// The server's read and write syscalls (syscr, syscw of /proc/PID/io):
	// at begin, then over the window (set by end).
	reads0, writes0 int64
	reads, writes   int64
}

func begin(t *target) (*window, error) {
	user, sys, err := cpuTimes(t.pid)
	self, serr := cpuTime(os.Getpid())
	r, wr, ierr := syscallsOf(t.pid)
	return &window{t: t, user0: user, sys0: sys, self0: self, at: time.Now(), reads0: r, writes0: wr},
		errors.Join(err, serr, ierr)
}

func (w *window) end() (cpu, wall time.Duration, err error) {
	user1, sys1, err := cpuTimes(w.t.pid)
	self1, serr := cpuTime(os.Getpid())
	r, wr, ierr := syscallsOf(w.t.pid)
	w.wall = time.Since(w.at)
	w.selfCPU = self1 - w.self0
	w.sys = sys1 - w.sys0
	w.reads, w.writes = r-w.reads0, wr-w.writes0
	return user1 - w.user0 + w.sys, w.wall, errors.Join(err, serr, ierr)
}

// syscalls returns the server's read and write syscalls over the window
// per op (round trip, delivered message...): metrics named "... per " + per.
func (w *window) syscalls(ops float64, per string) []metric {
	return []metric{
		{name: "server read syscalls per " + per, value: float64(w.reads) / ops},
		{name: "server write syscalls per " + per, value: float64(w.writes) / ops},
	}
}

// syscallsOf returns the read and write syscalls of process pid so far
// (syscr and syscw of /proc/PID/io: read(2), readv, recvfrom... and their
// write counterparts).
func syscallsOf(pid int) (reads, writes int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, 0, err
	}
	reads, rerr := parseProcIO(string(b), "syscr")
	writes, werr := parseProcIO(string(b), "syscw")
	return reads, writes, errors.Join(rerr, werr)
}

// kernelShare is the part of the server's CPU time spent in the kernel
// (stime: syscalls, the TCP stack, softirqs charged to it).
func (w *window) kernelShare(cpu time.Duration) metric {
	v := 0.0
	if cpu > 0 {
		v = 100 * float64(w.sys) / float64(cpu)
	}
	return metric{name: "of the server CPU: kernel (stime)", unit: "%", value: v}
}

// loadgenBusy is the load generator's CPU use over the window, in % of one
// core: near 100 % (pinned) it, not the server, limits the throughput.
func (w *window) loadgenBusy() metric {
	return metric{name: "loadgen CPU (bottleneck if ~100)", unit: "%", value: 100 * float64(w.selfCPU) / float64(w.wall)}
}

// serverBusy is the server's CPU use over the window in % of one core.
func serverBusy(cpu, wall time.Duration) metric {
	return metric{name: "server CPU (of one core)", unit: "%", value: 100 * float64(cpu) / float64(wall)}
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
		case "pecho":
			out = append(out, scenario{name: fmt.Sprintf("echo %d polling clients", cfg.echoClients), kind: "pecho",
				run: func(ctx context.Context, cfg *config, t *target) ([]metric, error) {
					return runEchoOn(ctx, cfg, t, true)
				}})
		case "pbcast":
			name := fmt.Sprintf("bcast %d×128B to %d polling clients", cfg.bcastCount, cfg.bcastClients)
			out = append(out, scenario{name: name, kind: "pbcast", run: func(ctx context.Context, cfg *config, t *target) ([]metric, error) {
				return runBroadcastOpts(ctx, cfg, t, bcastOpts{size: 128, polling: true})
			}})
		case "bcast":
			out = append(out, bcastScenario(cfg, "bcast", 128, false))
		case "bcast1k":
			out = append(out, bcastScenario(cfg, "bcast", 1024, false))
		case "bcastz":
			out = append(out, bcastZScenario(cfg))
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

// runConnect connects n clients, lets them idle, lets them leave, and does
// the same a second time: the second cycle reuses what the runtime kept from
// the first (goroutine descriptors, netpoll descriptors, grown maps, free
// heap), so its growth over the first is the steady-state figure, whereas
// the first cycle's end against the start also counts what the runtime keeps
// for good.
func runConnect(ctx context.Context, cfg *config, t *target, n int) ([]metric, error) {
	d := dialer(cfg, t)
	defer d.Close()
	if err := sleepCtx(ctx, cfg.warmup); err != nil {
		return nil, err
	}
	// A Go server's start is read after debug.FreeOSMemory, like its end.
	mem0, err := t.readMem(true)
	if err != nil {
		return nil, err
	}
	rss0, err := rssKB(t.pid)
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
	mem1, err := t.readMem(false)
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
	// A Go server: the raw RSS above keeps what the runtime freed but has
	// not returned to the OS yet; the RSS after debug.FreeOSMemory shows the
	// memory once returned, the runtime's classes say where the rest is.
	mem2, err := t.readMem(true)
	if err != nil {
		return nil, err
	}
	rss3, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	if err := t.prof.writeHeap(fmt.Sprintf("left-%d", n)); err != nil {
		return nil, err
	}

	// The second cycle, the same as the first.
	again, err := loadgen.Connect(ctx, d, n, cfg.connectConcurrency)
	if err != nil {
		return nil, fmt.Errorf("second cycle: %w", err)
	}
	defer loadgen.CloseAll(again)
	if err := sleepCtx(ctx, cfg.settle); err != nil {
		return nil, err
	}
	if err := loadgen.Failed(again); err != nil {
		return nil, fmt.Errorf("second cycle: connections dropped while idle: %w", err)
	}
	loadgen.CloseAll(again)
	if err := sleepCtx(ctx, cfg.leaveSettle); err != nil {
		return nil, err
	}
	rss4, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}
	mem3, err := t.readMem(true)
	if err != nil {
		return nil, err
	}
	rss5, err := rssKB(t.pid)
	if err != nil {
		return nil, err
	}

	fn := float64(n)
	pct := func(a, b int64) float64 { return 100 * float64(a-b) / float64(b) }
	ms := []metric{
		{name: "server CPU per connect", unit: "µs", value: micros(cpu) / fn},
		w.kernelShare(cpu),
		{name: "connects/s", unit: "1/s", value: fn / wall.Seconds()},
		serverBusy(cpu, wall),
		w.loadgenBusy(),
		{name: "RSS per idle connection", unit: "KB", value: float64(rss1-rss0) / fn},
		{name: "RSS at start", unit: "MB", value: float64(rss0) / 1024},
		{name: "RSS after all left, vs start (raw, 1st cycle)", unit: "%", value: pct(rss2, rss0)},
		{name: "RSS kept after all left, per former connection (raw)", unit: "KB", value: float64(rss2-rss0) / fn},
		{name: "RSS after all left, 2nd cycle vs 1st (raw; steady state)", unit: "%", value: pct(rss4, rss2)},
	}
	if mem0 == nil {
		return ms, nil
	}
	kb := func(a, b uint64) float64 { return (float64(a) - float64(b)) / 1024 / fn }
	heap := func(s memstat.Snapshot) uint64 { return s[memstat.HeapObjects] }
	goMetric := func(name, unit string, v float64) metric {
		return metric{name: name, unit: unit, value: v, goOnly: true}
	}
	ms = append(ms,
		goMetric(memMetricFreedRSS, "%", pct(rss3, rss0)),
		goMetric("RSS after all left, 2nd cycle vs 1st (after FreeOSMemory; steady state)", "%", pct(rss5, rss3)),
		goMetric("RSS kept after all left (after FreeOSMemory), per former connection", "KB", float64(rss3-rss0)/fn),
		goMetric("heap growth over the 2nd cycle, per connection (leak check)", "B", (float64(heap(mem3))-float64(heap(mem2)))/fn),
		goMetric("heap in use at start", "MB", float64(heap(mem0))/(1<<20)),
		goMetric("heap in use per idle connection", "KB", kb(heap(mem1), heap(mem0))),
		goMetric("heap in use after all left, vs start", "%", 100*(float64(heap(mem2))-float64(heap(mem0)))/float64(heap(mem0))),
		goMetric("goroutines per idle connection", "/conn", (float64(mem1[memstat.Goroutines])-float64(mem0[memstat.Goroutines]))/fn),
		goMetric("goroutines started per connect", "/conn", (float64(mem1[memstat.GoroutinesCreated])-float64(mem0[memstat.GoroutinesCreated]))/fn),
	)
	// Where the memory kept after all left (after FreeOSMemory) is, by the
	// runtime's own classes, per former connection. Their sum less
	// "released" is the Go runtime's share of the RSS kept.
	classes := []struct {
		name     string
		prefixes []string
	}{
		{"heap objects", []string{"/memory/classes/heap/objects:"}},
		{"free heap not returned (free + unused)", []string{"/memory/classes/heap/free:", "/memory/classes/heap/unused:"}},
		{"goroutine stacks", []string{"/memory/classes/heap/stacks:", "/memory/classes/os-stacks:"}},
		{"runtime metadata (mspan, mcache, GC)", []string{"/memory/classes/metadata/"}},
		{"other runtime (netpoll descriptors, finalizer records, span table)", []string{"/memory/classes/other:", "/memory/classes/profiling/"}},
		{"released to the OS (mapped, not in RSS)", []string{"/memory/classes/heap/released:"}},
	}
	for _, c := range classes {
		ms = append(ms, goMetric("kept after all left (after FreeOSMemory), per former connection: "+c.name, "KB", kb(mem2.Sum(c.prefixes...), mem0.Sum(c.prefixes...))))
	}
	if cfg.gBytes > 0 {
		// The runtime keeps every goroutine descriptor it made: one per
		// goroutine of the peak, counted here as the goroutines at the idle
		// point above the start (a lower bound of the peak).
		peak := float64(mem1[memstat.Goroutines]) - float64(mem0[memstat.Goroutines])
		ms = append(ms, goMetric(fmt.Sprintf("kept after all left, per former connection: goroutine descriptors (in heap objects; est. goroutines at idle × %.0f B measured)", cfg.gBytes), "KB", peak*cfg.gBytes/1024/fn))
	}
	return ms, nil
}

// memMetricFreedRSS is the first cycle's RSS figure of a Go server once the
// runtime returned what it freed.
const memMetricFreedRSS = "RSS after all left (after FreeOSMemory), vs start"

func runEcho(ctx context.Context, cfg *config, t *target) ([]metric, error) {
	return runEchoOn(ctx, cfg, t, false)
}

// runEchoOn is the echo scenario over websocket or HTTP long-polling.
func runEchoOn(ctx context.Context, cfg *config, t *target, polling bool) ([]metric, error) {
	d := loadgen.NewDialer(t.addr, &loadgen.DialOptions{SourceAddrs: cfg.sourceAddrs, Polling: polling})
	defer d.Close()
	conns, err := loadgen.Connect(ctx, d, cfg.echoClients, cfg.connectConcurrency)
	if err != nil {
		return nil, err
	}
	defer loadgen.CloseAll(conns)
	if cfg.warmup > 0 {
		if _, err := loadgen.Echo(ctx, conns, cfg.warmup, 0, 5*time.Second); err != nil {
			return nil, fmt.Errorf("warm-up: %w", errors.Join(err, loadgen.Failed(conns)))
		}
	}
	w, err := begin(t)
	if err != nil {
		return nil, err
	}
	profName := "echo"
	if polling {
		profName = "pecho"
	}
	if err := t.prof.startCPU(profName); err != nil {
		return nil, err
	}
	gets0, posts0 := httpRequests(conns)
	res, err := loadgen.Echo(ctx, conns, cfg.echoDuration, cfg.echoMax, 5*time.Second)
	gets1, posts1 := httpRequests(conns)
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
	ms := []metric{
		{name: "round trips/s", unit: "1/s", value: float64(res.RoundTrips) / res.Elapsed.Seconds()},
		{name: "latency p50", unit: "µs", value: micros(res.Latency.Quantile(0.50))},
		{name: "latency p99", unit: "ms", value: float64(res.Latency.Quantile(0.99)) / float64(time.Millisecond)},
		{name: "server CPU per round trip", unit: "µs", value: micros(cpu) / float64(res.RoundTrips)},
		w.kernelShare(cpu),
		serverBusy(cpu, wall),
		w.loadgenBusy(),
	}
	ms = append(ms, w.syscalls(float64(res.RoundTrips), "round trip")...)
	if polling {
		rt := float64(res.RoundTrips)
		ms = append(ms,
			metric{name: "HTTP GETs per round trip", unit: "", value: float64(gets1-gets0) / rt},
			metric{name: "HTTP POSTs per round trip", unit: "", value: float64(posts1-posts0) / rt})
	}
	return ms, nil
}

// bcastZScenario is the compressed broadcast: 1 KB JSON-like messages, all
// different, to clients that negotiated permessage-deflate without context
// takeover.
func bcastZScenario(cfg *config) scenario {
	name := fmt.Sprintf("bcast %d×1024B JSON, permessage-deflate, to %d", cfg.bcastCount, cfg.bcastClients)
	return scenario{name: name, kind: "bcastz", run: func(ctx context.Context, cfg *config, t *target) ([]metric, error) {
		return runBroadcastOpts(ctx, cfg, t, bcastOpts{size: 1024, json: true, deflate: true})
	}}
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
	return runBroadcastOpts(ctx, cfg, t, bcastOpts{size: size, room: room})
}

// bcastOpts describes the broadcast of a scenario.
type bcastOpts struct {
	size    int
	room    bool
	json    bool // payload.JSONLike messages, all different, checked byte for byte
	deflate bool // the clients negotiate permessage-deflate
	polling bool // the clients use HTTP long-polling
}

func runBroadcastOpts(ctx context.Context, cfg *config, t *target, o bcastOpts) ([]metric, error) {
	size, room := o.size, o.room
	d := loadgen.NewDialer(t.addr, &loadgen.DialOptions{SourceAddrs: cfg.sourceAddrs, Deflate: o.deflate, Polling: o.polling})
	defer d.Close()
	conns, err := loadgen.Connect(ctx, d, cfg.bcastClients, cfg.connectConcurrency)
	if err != nil {
		return nil, err
	}
	defer loadgen.CloseAll(conns)
	recipients, others := conns, []*loadgen.Conn(nil)
	b := loadgen.Broadcast{Count: cfg.bcastCount, Size: size, JSON: o.json}
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
		return nil, fmt.Errorf("warm-up: %w", errors.Join(err, loadgen.Failed(conns)))
	}
	w, err := begin(t)
	if err != nil {
		return nil, err
	}
	profName := fmt.Sprintf("bcast-%d-room%v", size, room)
	switch {
	case o.deflate:
		profName = fmt.Sprintf("bcastz-%d", size)
	case o.polling:
		profName = fmt.Sprintf("pbcast-%d", size)
	}
	if err := t.prof.startCPU(profName); err != nil {
		return nil, err
	}
	wire0 := wireBytes(recipients)
	gets0, posts0 := httpRequests(conns)
	var delivered int64
	var busy time.Duration
	var times []time.Duration
	for i := range cfg.bcastBursts {
		b.Seed = i + 1 // new messages every burst
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
	gets1, posts1 := httpRequests(conns)
	if err := errors.Join(t.prof.stopCPU(), werr, loadgen.Failed(conns)); err != nil {
		return nil, err
	}
	ms := []metric{
		{name: "delivered msgs/s", unit: "1/s", value: float64(delivered) / busy.Seconds()},
		{name: "time to last delivery", unit: "ms", value: float64(median(times)) / float64(time.Millisecond)},
		{name: "server CPU per delivered msg", unit: "µs", value: micros(cpu) / float64(delivered)},
		w.kernelShare(cpu),
		serverBusy(cpu, wall),
		w.loadgenBusy(),
	}
	ms = append(ms, w.syscalls(float64(delivered)/100, "100 delivered msgs")...)
	if o.polling {
		ms = append(ms,
			// Per recipient and burst of b.Count messages: 1 when every
			// recipient gets its burst in one GET response.
			metric{name: fmt.Sprintf("HTTP GETs per recipient per burst of %d", b.Count), unit: "",
				value: float64(gets1-gets0) * float64(b.Count) / float64(delivered)},
			metric{name: fmt.Sprintf("HTTP POSTs per recipient per burst of %d", b.Count), unit: "",
				value: float64(posts1-posts0) * float64(b.Count) / float64(delivered)})
	}
	if o.deflate {
		ms = append(ms, metric{name: "bytes on the wire per delivered msg (frames, pings included)", unit: "B",
			value: float64(wireBytes(recipients)-wire0) / float64(delivered)})
	}
	return ms, nil
}

// httpRequests sums the polling GETs and POSTs the connections had answered.
func httpRequests(conns []*loadgen.Conn) (gets, posts int64) {
	for _, c := range conns {
		g, p := c.HTTPRequests()
		gets, posts = gets+g, posts+p
	}
	return gets, posts
}

// wireBytes sums the bytes the connections read from their sockets.
func wireBytes(conns []*loadgen.Conn) int64 {
	var n int64
	for _, c := range conns {
		n += c.WireBytes()
	}
	return n
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
		return res, fmt.Errorf("broadcast: %d messages of the wrong size (or without an emit time)", res.BadSize)
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
		return nil, fmt.Errorf("warm-up: %w", errors.Join(err, loadgen.Failed(readers)))
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
		{name: "delivery time, one stalled / none", unit: "×", value: float64(stalled) / float64(normal)},
		{name: "peak RSS growth per MB sent to the stalled client", unit: "KB/MB", value: float64(peak-rss0) / (float64(piled) / (1 << 20))},
		{name: "MB sent to the stalled client", unit: "MB", value: float64(piled) / (1 << 20)},
		{name: "stalled client's lifetime at the end (heartbeat ends it at ≥ 45 s)", unit: "s", value: elapsed.Seconds()},
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
