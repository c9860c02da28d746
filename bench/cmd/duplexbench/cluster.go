//go:build !js

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
)

// clusterConfig is the cluster scenario group's part of the configuration.
type clusterConfig struct {
	modes    []string      // Redis adapter modes: streams, classic, sharded
	clients  int           // websocket clients, split across the two nodes
	count    int           // messages per broadcast request
	size     int           // bytes of each message's string
	bursts   int           // measured broadcast requests per run
	paced    int           // messages of the paced (latency) broadcast
	interval time.Duration // between two paced messages
}

// singleMode is the "mode" of the single-node runs: one node, no Redis, the
// baseline of the cross-node latency.
const singleMode = "single"

// clusterLauncher starts one node of kind (duplex or node) in mode on the
// Redis at redisAddr; tag names it in logs and profiles.
type clusterLauncher func(ctx context.Context, mode, redisAddr, tag string) (*serverProc, error)

func duplexClusterNode(root, bin string, core int, profileDir string) clusterLauncher {
	return func(ctx context.Context, mode, redisAddr, tag string) (*serverProc, error) {
		if mode == singleMode {
			mode = "none"
		}
		argv := []string{bin, "-mode", mode, "-redis", redisAddr}
		if profileDir != "" {
			argv = append(argv, "-cpuprofile", filepath.Join(profileDir, "cluster-"+tag+".cpu.pprof"))
		}
		return startServer(ctx, "duplex "+tag, root, core, argv, 15*time.Second)
	}
}

func nodeClusterNode(root string, core int) clusterLauncher {
	return func(ctx context.Context, mode, redisAddr, tag string) (*serverProc, error) {
		if mode == singleMode {
			mode = "none"
		}
		argv := []string{"node", filepath.Join(root, "bench", "node", "cluster.js"), "--mode", mode, "--redis", redisAddr}
		return startServer(ctx, "node "+tag, root, core, argv, 15*time.Second)
	}
}

// clusterScenarios are the runs of the group: the single-node baseline, then
// each mode.
func clusterScenarios(cc *clusterConfig) []scenario {
	out := []scenario{{name: fmt.Sprintf("cluster %s: 1 node, %d clients", singleMode, cc.clients), kind: "cluster-" + singleMode}}
	for _, m := range cc.modes {
		out = append(out, scenario{name: fmt.Sprintf("cluster %s: 2 nodes, %d clients", m, cc.clients), kind: "cluster-" + m})
	}
	return out
}

// runClusterGroup runs the cluster scenarios for cfg.rounds rounds on the
// servers (duplex, node) with one redis-server (pinned to core 0 like the
// load generator; the nodes share core 1), and prints the table and the
// issue's goals.
func runClusterGroup(ctx context.Context, cfg *config, cc *clusterConfig, launchers map[string]clusterLauncher, servers []string, core int, log *slog.Logger) (*results, error) {
	redisCore := -1
	if core >= 0 {
		redisCore = 0
	}
	rs, err := startRedis(ctx, redisCore)
	if err != nil {
		return nil, err
	}
	defer rs.stop()
	log.Info("redis-server", "addr", rs.addr, "pid", rs.pid)
	scs := clusterScenarios(cc)
	res := newResults(scs)
	for round := range cfg.rounds {
		order := slices.Clone(servers)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, sc := range scs {
			mode := strings.TrimPrefix(sc.kind, "cluster-")
			for _, name := range order {
				if ctx.Err() != nil {
					return res, ctx.Err()
				}
				rctx, cancel := context.WithTimeout(ctx, cfg.scenarioTimeout)
				ms, err := runClusterOne(rctx, cfg, cc, launchers[name], rs, mode, fmt.Sprintf("%s-%s-r%d", name, mode, round+1))
				cancel()
				if err != nil {
					log.Error("cluster scenario failed", "round", round+1, "scenario", sc.name, "server", name, "err", err)
					res.fail(sc, name, err)
					continue
				}
				args := []any{"round", round + 1, "scenario", sc.name, "server", name, "load", loadAvg()}
				for _, m := range ms {
					args = append(args, m.name, format(m.value)+" "+m.unit)
				}
				log.Info("done", args...)
				res.add(sc, name, ms)
			}
		}
	}
	return res, nil
}

// Names of the cluster figures (the goals table reads them).
const (
	cmDelivered    = "delivered msgs/s (all clients)"
	cmCPUPerMsg    = "server CPU per delivered msg (all nodes)"
	cmMsgsPerCore  = "delivered msgs per server CPU second"
	cmCPUPerRedis  = "server CPU per Redis message (both nodes)"
	cmRedisPerEmit = "Redis messages per emit"
	cmRedisCPU     = "redis-server CPU per Redis message"
	cmP50Cross     = "paced: latency p50, clients of the other node"
	cmP99Cross     = "paced: latency p99, clients of the other node"
	cmP99Local     = "paced: latency p99, clients of the emitting node"
	cmP50Single    = "paced: latency p50, single node"
	cmP99Single    = "paced: latency p99, single node"
)

// runClusterOne starts the nodes of one run (two in a mode, one for the
// single-node baseline), connects cc.clients split across them, and
// measures a burst broadcast and a paced, time-stamped one, both sent by a
// client of the first node.
func runClusterOne(ctx context.Context, cfg *config, cc *clusterConfig, launch clusterLauncher, rs *redisServer, mode, tag string) ([]metric, error) {
	if _, err := rs.do(ctx, "FLUSHALL"); err != nil {
		return nil, err
	}
	a, err := launch(ctx, mode, rs.addr, tag+"-a")
	if err != nil {
		return nil, err
	}
	defer a.stop()
	nodes := []*serverProc{a}
	if mode != singleMode {
		b, err := launch(ctx, mode, rs.addr, tag+"-b")
		if err != nil {
			return nil, err
		}
		defer b.stop()
		nodes = append(nodes, b)
	}
	ms, err := measureCluster(ctx, cfg, cc, nodes, rs, mode)
	for _, n := range nodes {
		if aerr := n.alive(); aerr != nil {
			return nil, fmt.Errorf("node died: %w (scenario: %v)", aerr, err)
		}
	}
	return ms, err
}

func measureCluster(ctx context.Context, cfg *config, cc *clusterConfig, nodes []*serverProc, rs *redisServer, mode string) ([]metric, error) {
	// Clients split evenly across the nodes; the first node's come first.
	var groups [][]*loadgen.Conn
	var all []*loadgen.Conn
	defer func() { loadgen.CloseAll(all) }()
	for i, n := range nodes {
		k := cc.clients / len(nodes)
		if i == 0 {
			k += cc.clients % len(nodes)
		}
		d := loadgen.NewDialer(n.addr, &loadgen.DialOptions{SourceAddrs: cfg.sourceAddrs})
		defer d.Close()
		conns, err := loadgen.Connect(ctx, d, k, cfg.connectConcurrency)
		all = append(all, conns...)
		if err != nil {
			return nil, fmt.Errorf("connect to node %d: %w", i+1, err)
		}
		groups = append(groups, conns)
	}
	sender := groups[0][0]
	// The nodes subscribe asynchronously: wait until one message reaches
	// every client, then warm up with one unmeasured burst.
	probe := loadgen.Broadcast{Count: 1, Size: cc.size}
	for start := time.Now(); ; {
		_, err := check(loadgen.RunBroadcast(ctx, sender, all, nil, probe, time.Second))
		if err == nil {
			break
		}
		if time.Since(start) > 15*time.Second || ctx.Err() != nil {
			return nil, fmt.Errorf("cluster not ready: %w", err)
		}
		if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
			return nil, err
		}
	}
	b := loadgen.Broadcast{Count: cc.count, Size: cc.size}
	if _, err := check(loadgen.RunBroadcast(ctx, sender, all, nil, b, cfg.bcastTimeout)); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}

	// The burst: throughput and CPU.
	cpu0, err := cpuOf(nodes)
	if err != nil {
		return nil, err
	}
	w0, err := writesOf(nodes)
	if err != nil {
		return nil, err
	}
	rcpu0, err := cpuTime(rs.pid)
	if err != nil {
		return nil, err
	}
	rm0, err := rs.messages(ctx)
	if err != nil {
		return nil, err
	}
	self0, err := cpuTime(os.Getpid())
	if err != nil {
		return nil, err
	}
	at := time.Now()
	var delivered int64
	var busy time.Duration
	for range cc.bursts {
		res, err := check(loadgen.RunBroadcast(ctx, sender, all, nil, b, cfg.bcastTimeout))
		if err != nil {
			return nil, err
		}
		delivered += res.Delivered
		busy += res.Elapsed
	}
	wall := time.Since(at)
	cpu1, err := cpuOf(nodes)
	if err != nil {
		return nil, err
	}
	w1, err := writesOf(nodes)
	if err != nil {
		return nil, err
	}
	rcpu1, err := cpuTime(rs.pid)
	if err != nil {
		return nil, err
	}
	rm1, err := rs.messages(ctx)
	if err != nil {
		return nil, err
	}
	self1, err := cpuTime(os.Getpid())
	if err != nil {
		return nil, err
	}
	var cpu time.Duration
	var busyPct []float64
	for i := range nodes {
		cpu += cpu1[i] - cpu0[i]
		busyPct = append(busyPct, 100*float64(cpu1[i]-cpu0[i])/float64(wall))
	}
	emits := int64(cc.bursts) * int64(cc.count)
	if cpu <= 0 {
		return nil, fmt.Errorf("the nodes used less than one CPU tick (%v) over the burst: raise -cluster-bursts or -cluster-count", clockTick)
	}

	// The paced broadcast: latency from the emit (stamped in the payload)
	// to each client.
	paced := loadgen.Broadcast{Count: cc.paced, Size: cc.size, Timed: true, Interval: cc.interval}
	if _, err := check(loadgen.RunBroadcast(ctx, sender, all, nil, paced, cfg.bcastTimeout)); err != nil {
		return nil, fmt.Errorf("paced: %w", err)
	}
	if err := loadgen.Failed(all); err != nil {
		return nil, err
	}
	ms := []metric{
		{name: cmDelivered, unit: "1/s", value: float64(delivered) / busy.Seconds()},
		{name: cmCPUPerMsg, unit: "µs", value: micros(cpu) / float64(delivered)},
		{name: cmMsgsPerCore, unit: "1/s", value: float64(delivered) / cpu.Seconds()},
		{name: "write syscalls per delivered msg (all nodes)", unit: "", value: float64(w1-w0) / float64(delivered)},
	}
	for i, p := range busyPct {
		ms = append(ms, metric{name: fmt.Sprintf("node %d CPU (of one core)", i+1), unit: "%", value: p})
	}
	ms = append(ms, metric{name: "loadgen CPU (bottleneck if ~100)", unit: "%", value: 100 * float64(self1-self0) / float64(wall)})
	ms = append(ms, metric{name: "load average (1 min) after the run", unit: "", value: loadAvg()})
	ms = append(ms, latencyMetrics(mode, groups)...)
	if mode == singleMode {
		return ms, nil
	}
	redisMsgs := rm1 - rm0
	if redisMsgs < emits {
		return nil, fmt.Errorf("%d messages reached Redis for %d emits", redisMsgs, emits)
	}
	return append(ms,
		metric{name: cmCPUPerRedis, unit: "µs", value: micros(cpu) / float64(redisMsgs)},
		metric{name: cmRedisPerEmit, unit: "", value: float64(redisMsgs) / float64(emits)},
		metric{name: cmRedisCPU, unit: "µs", value: micros(rcpu1-rcpu0) / float64(redisMsgs)},
	), nil
}

// latencyMetrics are the paced broadcast's delays: at the other node's
// clients and the emitting node's, or at the single node's.
func latencyMetrics(mode string, groups [][]*loadgen.Conn) []metric {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	if mode == singleMode {
		h := loadgen.MergeLatency(groups[0])
		return []metric{
			{name: cmP50Single, unit: "ms", value: ms(h.Quantile(0.5))},
			{name: cmP99Single, unit: "ms", value: ms(h.Quantile(0.99))},
		}
	}
	cross := loadgen.MergeLatency(slices.Concat(groups[1:]...))
	local := loadgen.MergeLatency(groups[0])
	return []metric{
		{name: cmP50Cross, unit: "ms", value: ms(cross.Quantile(0.5))},
		{name: cmP99Cross, unit: "ms", value: ms(cross.Quantile(0.99))},
		{name: cmP99Local, unit: "ms", value: ms(local.Quantile(0.99))},
	}
}

// cpuOf returns each node's CPU time (user + system).
func cpuOf(nodes []*serverProc) ([]time.Duration, error) {
	var out []time.Duration
	var errs []error
	for _, n := range nodes {
		c, err := cpuTime(n.pid)
		out = append(out, c)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// writesOf returns the write syscalls the nodes made so far, together
// (syscw of /proc/PID/io).
func writesOf(nodes []*serverProc) (int64, error) {
	var total int64
	for _, n := range nodes {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", n.pid))
		if err != nil {
			return 0, err
		}
		v, err := parseProcIO(string(b), "syscw")
		if err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// parseProcIO returns the field of /proc/PID/io's text.
func parseProcIO(s, field string) (int64, error) {
	for line := range strings.Lines(s) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("/proc/PID/io: bad %s line %q", field, line)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("/proc/PID/io: no %s", field)
}

// loadAvg is the 1-minute load average (/proc/loadavg), 0 when unknown.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := parseLoadAvg(string(b))
	return v
}

// parseLoadAvg reads the 1-minute figure of /proc/loadavg's text.
func parseLoadAvg(s string) (float64, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, errors.New("loadavg: empty")
	}
	var v float64
	if _, err := fmt.Sscanf(f[0], "%g", &v); err != nil {
		return 0, fmt.Errorf("loadavg: %w", err)
	}
	return v, nil
}

// runCluster builds the duplex cluster node, runs the group on the duplex
// and Node servers of cfg.servers, and prints its table and goals.
func runCluster(ctx context.Context, cfg *config, root, tmp string, core int, profileDir string, log *slog.Logger) {
	launchers := map[string]clusterLauncher{"node": nodeClusterNode(root, core)}
	var servers []string
	for _, s := range cfg.servers {
		if s == "duplex" || s == "node" {
			servers = append(servers, s)
		}
	}
	if slices.Contains(servers, "duplex") {
		bin, err := goBuild(ctx, root, tmp, "./bench/clusterserver")
		if err != nil {
			fatalf("%v", err)
		}
		if profileDir != "" {
			if err := os.MkdirAll(profileDir, 0o755); err != nil {
				fatalf("%v", err)
			}
		}
		launchers["duplex"] = duplexClusterNode(root, bin, core, profileDir)
	}
	load0 := loadAvg()
	res, err := runClusterGroup(ctx, cfg, &cfg.cluster, launchers, servers, core, log)
	if err != nil && res == nil {
		fatalf("cluster: %v", err)
	}
	fmt.Printf("\n## cluster: %d websocket clients split across 2 nodes on one redis-server, broadcast from a client of node 1\n\n", cfg.cluster.clients)
	fmt.Printf("Both nodes pinned to core %d (one Go P each, like Node's event loop), redis-server and the load generator to core 0 (pinning %v).\n", core, core >= 0)
	fmt.Printf("Burst: %d requests of %d × %d B to all; paced: %d × %d B, one every %v, emit time stamped in the payload. Load average (1 min) before %.2f, after %.2f.\n\n",
		cfg.cluster.bursts, cfg.cluster.count, cfg.cluster.size, cfg.cluster.paced, cfg.cluster.size, cfg.cluster.interval, load0, loadAvg())
	res.write(os.Stdout, servers, cfg.rounds)
	fmt.Println()
	writeClusterGoals(os.Stdout, clusterGoals(res, cfg.cluster.modes, servers))
	if err != nil {
		fmt.Printf("\ncluster group stopped early: %v\n", err)
	}
}
