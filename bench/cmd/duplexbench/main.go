//go:build !js

// Command duplexbench runs the side-by-side load benchmark: the duplex server
// (bench/server), a Node socket.io@4.8.4 server (bench/node/server.js) and
// the floor (bench/floor: the least a Go server can do for the connect and
// echo scenarios, a measurement of the machine, not a competitor), one after
// the other, under the same load from bench/loadgen, and prints a markdown
// table of medians with the duplex/Node and duplex/floor ratios.
//
// The server runs pinned to core 1 (taskset -c 1: a Go server then has one P,
// like Node's event loop), the load generator re-executes itself pinned to
// core 0. Server CPU comes from /proc/PID/stat, RSS from /proc/PID/status.
//
// Usage:
//
//	go run ./bench/cmd/duplexbench              # full run, 3 rounds (minutes)
//	go run ./bench/cmd/duplexbench -quick       # small smoke run
//	go run ./bench/cmd/duplexbench -scenarios echo,bcast -rounds 5
//	go run ./bench/cmd/duplexbench -servers duplex -rounds 1 -profile /tmp/prof
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
)

// config is everything a run needs; see flags in main.
type config struct {
	rounds             int
	servers            []string
	scenarios          []string
	conns              []int
	connectConcurrency int
	sourceAddrs        int
	warmup             time.Duration
	settle             time.Duration
	leaveSettle        time.Duration
	echoClients        int
	echoDuration       time.Duration
	echoMax            uint64
	bcastClients       int
	bcastCount         int
	bcastBursts        int
	bcastTimeout       time.Duration
	roomSize           int
	slowBursts         int
	scenarioTimeout    time.Duration
	// gBytes is the heap a goroutine descriptor keeps once its goroutine
	// ended (measured by bench/floor -measure-g; 0 when not measured).
	gBytes float64
	// cluster: the cluster scenario group (-scenarios cluster; cluster.go).
	cluster clusterConfig
}

// launcher starts a fresh server of one kind.
type launcher func(ctx context.Context) (*target, error)

const pinnedEnv = "DUPLEXBENCH_PINNED"

func main() {
	cfg := &config{}
	quick := flag.Bool("quick", false, "small smoke run: fewer connections, shorter phases, 1 round")
	flag.IntVar(&cfg.rounds, "rounds", 3, "alternating rounds per server (medians are taken over them)")
	servers := flag.String("servers", "duplex,node,floor", "servers to run, in first-round order (duplex, duplex-fast: bench/server -fast, node, floor)")
	scs := flag.String("scenarios", "connect,echo,pecho,bcast,bcast1k,bcastz,pbcast,room,slow,cluster", "scenarios to run (cluster: the Redis cluster group, cluster.go)")
	conns := flag.String("conns", "1000,5000,10000", "connection counts of the connect scenario")
	flag.IntVar(&cfg.connectConcurrency, "concurrency", 64, "handshakes in flight while connecting")
	flag.IntVar(&cfg.sourceAddrs, "sources", 4, "loopback source addresses 127.0.0.1..N to spread connections over")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "idle or warm-up time before each measured phase")
	flag.DurationVar(&cfg.settle, "settle", 3*time.Second, "idle time before reading RSS with connections open")
	flag.DurationVar(&cfg.leaveSettle, "leave-settle", 10*time.Second, "idle time after all clients left before reading RSS")
	flag.IntVar(&cfg.echoClients, "echo-clients", 100, "clients of the echo scenario (closed loop each)")
	flag.DurationVar(&cfg.echoDuration, "echo-duration", 5*time.Second, "measured time of the echo scenario")
	flag.IntVar(&cfg.bcastClients, "bcast-clients", 1000, "clients of the broadcast scenarios")
	flag.IntVar(&cfg.bcastCount, "bcast-count", 100, "messages per broadcast request")
	flag.IntVar(&cfg.bcastBursts, "bcast-bursts", 5, "measured broadcast requests per scenario")
	flag.IntVar(&cfg.roomSize, "room", 100, "room size of the room broadcast")
	flag.IntVar(&cfg.slowBursts, "slow-bursts", 20, "16 KB × count bursts piled on the stalled client")
	flag.DurationVar(&cfg.bcastTimeout, "bcast-timeout", 60*time.Second, "deadline of one broadcast's delivery")
	flag.DurationVar(&cfg.scenarioTimeout, "scenario-timeout", 3*time.Minute, "deadline of one scenario on one server")
	pin := flag.Bool("pin", true, "pin the server to core 1 and the load generator to core 0 (needs taskset and 2 cores)")
	clusterModes := flag.String("cluster-modes", "streams,classic,sharded", "Redis adapter modes of the cluster scenarios")
	flag.IntVar(&cfg.cluster.clients, "cluster-clients", 500, "clients of the cluster scenarios, split across the two nodes")
	flag.IntVar(&cfg.cluster.count, "cluster-count", 100, "messages per broadcast request of the cluster scenarios")
	flag.IntVar(&cfg.cluster.size, "cluster-size", 128, "bytes per message of the cluster scenarios (>= 19: the paced ones carry their emit time)")
	flag.IntVar(&cfg.cluster.bursts, "cluster-bursts", 5, "measured broadcast requests per cluster run")
	flag.IntVar(&cfg.cluster.paced, "cluster-paced", 200, "messages of the paced (latency) broadcast per cluster run")
	flag.DurationVar(&cfg.cluster.interval, "cluster-interval", 10*time.Millisecond, "between two messages of the paced broadcast")
	var soak soakConfig
	flag.DurationVar(&soak.duration, "soak", 0, "run the soak for this long on each server instead of the scenarios (0: off; at most 30m)")
	flag.IntVar(&soak.ws, "soak-ws", 10000, "websocket clients of the soak")
	flag.IntVar(&soak.poll, "soak-polling", 1000, "long-polling clients of the soak")
	flag.DurationVar(&soak.interval, "soak-interval", 10*time.Second, "sampling interval of the soak")
	flag.IntVar(&soak.rooms, "soak-rooms", 100, "rooms of the soak (each gets one broadcast per second)")
	flag.IntVar(&soak.bcastSize, "soak-size", 100, "bytes of a soak broadcast message")
	replot := flag.Bool("soak-replot", false, "only redraw soak.svg from the soak-<server>.json files of -soak-out for -servers")
	flag.StringVar(&soak.out, "soak-out", "bench/results", "directory of the soak's JSON series and SVG plot (relative: to the repository root)")
	profile := flag.String("profile", "", "directory: CPU and heap profiles of the duplex server per scenario (perturbs its figures)")
	flag.Parse()
	if *quick {
		cfg.rounds = 1
		*conns = "200,1000"
		cfg.settle, cfg.leaveSettle, cfg.warmup = time.Second, 2*time.Second, 300*time.Millisecond
		cfg.echoDuration = 2 * time.Second
		cfg.bcastClients, cfg.bcastBursts, cfg.slowBursts = 200, 2, 3
		cfg.cluster.clients, cfg.cluster.count, cfg.cluster.bursts, cfg.cluster.paced = 100, 200, 3, 50
	}
	cfg.cluster.modes = strings.Split(*clusterModes, ",")
	if cfg.cluster.size < loadgen.StampDigits {
		fatalf("-cluster-size %d: at least %d", cfg.cluster.size, loadgen.StampDigits)
	}
	cfg.servers = strings.Split(*servers, ",")
	cfg.scenarios = strings.Split(*scs, ",")
	clusterOn := slices.Contains(cfg.scenarios, "cluster")
	cfg.scenarios = slices.DeleteFunc(cfg.scenarios, func(s string) bool { return s == "cluster" })
	for _, s := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fatalf("bad -conns %q", *conns)
		}
		cfg.conns = append(cfg.conns, n)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	core := -1
	if *pin {
		if _, err := os.Stat("/sys/devices/system/cpu/cpu1"); err != nil {
			log.Warn("no second core: not pinning", "err", err)
		} else if _, err := exec.LookPath("taskset"); err != nil {
			log.Warn("taskset not found: not pinning")
		} else {
			core = 1
			if os.Getenv(pinnedEnv) == "" {
				reexecPinned()
			}
		}
	}
	raiseFileLimit(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := repoRoot()
	if err != nil {
		fatalf("%v", err)
	}
	tmp, err := os.MkdirTemp("", "duplexbench-")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(tmp)
	if clusterOn && soak.duration == 0 && !*replot { // a soak or a replot runs alone
		runCluster(ctx, cfg, root, tmp, core, *profile, log)
	}
	if len(cfg.scenarios) == 0 {
		return
	}
	launchers := map[string]launcher{}
	if slices.Contains(cfg.servers, "duplex") || slices.Contains(cfg.servers, "floor") {
		// The floor binary also measures the goroutine descriptor's size
		// for the memory accounting rows of both Go servers.
		bin, err := goBuild(ctx, root, tmp, "./bench/floor")
		if err != nil {
			fatalf("%v", err)
		}
		launchers["floor"] = floorProcess(root, bin, core, false)
		launchers[floorPolling] = floorProcess(root, bin, core, true)
		if cfg.gBytes, err = measureGoroutine(ctx, bin); err != nil {
			log.Warn("goroutine descriptor size not measured: no descriptor estimate", "err", err)
		}
	}
	if slices.Contains(cfg.servers, "duplex") || slices.Contains(cfg.servers, "duplex-fast") {
		bin, err := goBuild(ctx, root, tmp, "./bench/server")
		if err != nil {
			fatalf("%v", err)
		}
		if *profile != "" {
			if err := os.MkdirAll(*profile, 0o755); err != nil {
				fatalf("%v", err)
			}
		}
		launchers["duplex"] = duplexProcess(root, bin, core, *profile, false)
		launchers["duplex-fast"] = duplexProcess(root, bin, core, *profile, true)
	}
	launchers["node"] = nodeProcess(root, core)
	for _, s := range cfg.servers {
		if launchers[s] == nil {
			fatalf("unknown server %q (duplex, duplex-fast, node, floor)", s)
		}
	}
	if *replot {
		if !filepath.IsAbs(soak.out) {
			soak.out = filepath.Join(root, soak.out)
		}
		if err := replotSoak(soak.out, cfg.servers); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if soak.duration > 0 {
		soak.duration = min(soak.duration, 30*time.Minute) // bounded
		soak.rooms = max(soak.rooms, 1)
		if !filepath.IsAbs(soak.out) {
			soak.out = filepath.Join(root, soak.out)
		}
		fmt.Printf("soak: server pinned to core %d, load generator to core 0 (pinning %v)\n", core, core >= 0)
		if err := runSoak(ctx, soak, cfg.servers, launchers, log); err != nil {
			fatalf("%v", err)
		}
		return
	}
	res := run(ctx, cfg, launchers, log)
	fmt.Printf("\nServer pinned to core %d, load generator to core 0 (pinning %v); CPU from /proc/PID/stat (10 ms ticks).\n", core, core >= 0)
	if cfg.gBytes > 0 {
		fmt.Printf("Goroutine descriptor: %.0f B of heap kept per peak goroutine (measured: bench/floor -measure-g).\n", cfg.gBytes)
	}
	fmt.Println()
	res.write(os.Stdout, cfg.servers, cfg.rounds)
}

// run executes every scenario on every server for cfg.rounds rounds, the
// server order alternating between rounds, a fresh server for each run.
func run(ctx context.Context, cfg *config, launchers map[string]launcher, log *slog.Logger) *results {
	scs := scenarios(cfg)
	res := newResults(scs)
	for round := range cfg.rounds {
		order := slices.Clone(cfg.servers)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, sc := range scs {
			for _, name := range order {
				if ctx.Err() != nil {
					return res
				}
				if why := skipReason(name, sc.kind); why != "" {
					log.Info("skipped", "round", round+1, "scenario", sc.name, "server", name, "why", why)
					res.skip(sc, name, why)
					continue
				}
				launch := launchers[name]
				if name == "floor" && pollingKind(sc.kind) {
					launch = launchers[floorPolling]
				}
				ms, err := runOne(ctx, cfg, launch, sc)
				if err != nil {
					log.Error("scenario failed", "round", round+1, "scenario", sc.name, "server", name, "err", err)
					res.fail(sc, name, err)
					continue
				}
				args := []any{"round", round + 1, "scenario", sc.name, "server", name}
				for _, m := range ms {
					args = append(args, m.name, format(m.value)+" "+m.unit)
				}
				log.Info("done", args...)
				res.add(sc, name, ms)
			}
		}
	}
	return res
}

func runOne(ctx context.Context, cfg *config, launch launcher, sc scenario) ([]metric, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.scenarioTimeout)
	defer cancel()
	t, err := launch(ctx)
	if err != nil {
		return nil, err
	}
	defer t.stop()
	ms, err := sc.run(ctx, cfg, t)
	if aerr := t.alive(); aerr != nil {
		return nil, fmt.Errorf("server died: %w (scenario: %v)", aerr, err)
	}
	return ms, err
}

// duplexProcess starts the duplex server (bench/server); with fast, served
// by server.Server.Serve (-fast).
func duplexProcess(root, bin string, core int, profileDir string, fast bool) launcher {
	return func(ctx context.Context) (*target, error) {
		argv := []string{bin, "-addr", "127.0.0.1:0", "-control", "127.0.0.1:0"}
		if fast {
			argv = append(argv, "-fast")
		}
		if profileDir != "" {
			argv = append(argv, "-profile-dir", profileDir)
		}
		p, err := startServer(ctx, "duplex", root, core, argv, 15*time.Second)
		if err != nil {
			return nil, err
		}
		t := &target{name: "duplex", addr: p.addr, pid: p.pid, alive: p.alive, stop: p.stop}
		ctl, err := p.expect("control ", 5*time.Second)
		if err != nil {
			p.stop()
			return nil, err
		}
		t.mem = controlMem("http://127.0.0.1:" + ctl)
		t.memNoGC = controlMemNoGC("http://127.0.0.1:" + ctl)
		if profileDir != "" {
			t.prof = controlProfiler("http://127.0.0.1:" + ctl)
		}
		return t, nil
	}
}

// floorPolling names the launcher of the polling floor (bench/floor
// -polling), the floor column of the polling scenarios.
const floorPolling = "floor-polling"

// pollingKind reports whether scenarios of kind use HTTP long-polling.
func pollingKind(kind string) bool { return kind == "pecho" || kind == "pbcast" }

// floorProcess starts the floor server (bench/floor) with its control port;
// with polling, the polling floor (net/http).
func floorProcess(root, bin string, core int, polling bool) launcher {
	return func(ctx context.Context) (*target, error) {
		argv := []string{bin, "-addr", "127.0.0.1:0", "-control", "127.0.0.1:0"}
		if polling {
			argv = append(argv, "-polling")
		}
		p, err := startServer(ctx, "floor", root, core, argv, 15*time.Second)
		if err != nil {
			return nil, err
		}
		ctl, err := p.expect("control ", 5*time.Second)
		if err != nil {
			p.stop()
			return nil, err
		}
		return &target{name: "floor", addr: p.addr, pid: p.pid, alive: p.alive, stop: p.stop, mem: controlMem("http://127.0.0.1:" + ctl)}, nil
	}
}

// skipReason says why server does not run scenarios of kind ("" = it does).
func skipReason(server, kind string) string {
	if server == "floor" && kind != "connect" && kind != "echo" && !pollingKind(kind) {
		return "the floor server implements only the connect, echo, pecho and pbcast scenarios"
	}
	return ""
}

// goBuild builds the package pkg of the module at root into dir.
func goBuild(ctx context.Context, root, dir, pkg string) (string, error) {
	bin := filepath.Join(dir, "duplexbench-"+filepath.Base(pkg))
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	return bin, nil
}

// measureGoroutine runs bin -measure-g (bench/floor) in a fresh process: the
// heap a goroutine descriptor keeps for good, in bytes.
func measureGoroutine(ctx context.Context, bin string) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-measure-g", "20000").Output()
	if err != nil {
		return 0, fmt.Errorf("%s -measure-g: %w", bin, err)
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "goroutine ")
	if !ok {
		return 0, fmt.Errorf("%s -measure-g: unexpected output %q", bin, out)
	}
	g, err := strconv.ParseFloat(v, 64)
	if err != nil || g <= 0 {
		return 0, fmt.Errorf("%s -measure-g: unexpected output %q", bin, out)
	}
	return g, nil
}

func nodeProcess(root string, core int) launcher {
	return func(ctx context.Context) (*target, error) {
		p, err := startServer(ctx, "node", root, core, []string{"node", filepath.Join(root, "bench", "node", "server.js"), "0"}, 15*time.Second)
		if err != nil {
			return nil, err
		}
		return &target{name: "node", addr: p.addr, pid: p.pid, alive: p.alive, stop: p.stop}, nil
	}
}

// reexecPinned replaces the process with itself under taskset -c 0.
func reexecPinned() {
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		fatalf("%v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		fatalf("%v", err)
	}
	argv := append([]string{"taskset", "-c", "0", exe}, os.Args[1:]...)
	env := append(os.Environ(), pinnedEnv+"=1")
	fatalf("re-exec under taskset: %v", syscall.Exec(taskset, argv, env))
}

// raiseFileLimit lifts the soft RLIMIT_NOFILE to the hard limit; the servers
// inherit it.
func raiseFileLimit(log *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		log.Warn("getrlimit", "err", err)
		return
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		log.Warn("setrlimit", "err", err)
	}
	log.Info("file descriptor limit", "nofile", lim.Cur)
}

// repoRoot finds the module root from this source file or the working directory.
func repoRoot() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "bench", "node", "server.js")); err == nil {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("cannot find the duplex repository (bench/node/server.js) from %v", starts)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "duplexbench: "+format+"\n", args...)
	os.Exit(1)
}
