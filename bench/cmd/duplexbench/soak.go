//go:build !js

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
	"github.com/duplexio/duplex/bench/memstat"
)

// The soak (-soak DURATION): many websocket and long-polling clients for a
// long time, each sending one acked event per second and receiving room
// broadcasts; one server at a time (duplex, Node), the same load. Every
// -soak-interval it samples the ack latency (p50, p99 of the acks of the
// interval), the server's RSS and (Go) goroutines, and its CPU per message
// (acked events + broadcast deliveries); at the end it checks that nothing
// was lost. It stops by itself after the duration.

// soakConfig is the soak's part of the command line.
type soakConfig struct {
	duration  time.Duration
	ws, poll  int           // clients per transport
	interval  time.Duration // sampling interval
	rooms     int           // rooms; client i is in room i % rooms
	bcastSize int           // bytes of a room broadcast's message
	out       string        // directory of the JSON series and the SVG
}

// soakSample is one sampling interval.
type soakSample struct {
	At         float64 `json:"t_s"` // seconds since the measured start
	Acks       int64   `json:"acks"`
	Delivered  int64   `json:"delivered"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	RSS        float64 `json:"rss_mb"`
	Goroutines float64 `json:"goroutines"` // -1: not a Go server
	CPUPerMsg  float64 `json:"cpu_per_msg_us"`
	Errors     int64   `json:"errors"` // cumulative
	// LoadgenCPU is the load generator's CPU use in % of its core: near
	// 100 (or far above what the client count needs on a shared machine)
	// the latencies are the load generator's, not the server's.
	LoadgenCPU float64 `json:"loadgen_cpu_pct"`
}

// soakRun is the outcome of the soak on one server.
type soakRun struct {
	Server      string       `json:"server"`
	WS          int          `json:"ws_clients"`
	Polling     int          `json:"polling_clients"`
	Duration    string       `json:"duration"`
	Samples     []soakSample `json:"samples"`
	Acks        int64        `json:"acks"`
	Delivered   int64        `json:"delivered"`
	Expected    int64        `json:"expected_deliveries"`
	Errors      int64        `json:"errors"`
	ErrorText   []string     `json:"error_text,omitempty"`
	CPUPerMsg   float64      `json:"cpu_per_msg_us"`
	LateTicks   int64        `json:"late_ticks"` // a client's second passed with its previous ack outstanding
	StartedUTC  string       `json:"started_utc"`
	LoadAverage string       `json:"loadavg_at_start"`
}

// soakClient is one client's state.
type soakClient struct {
	c       *loadgen.Conn
	waiting atomic.Bool
	sentAt  atomic.Int64
}

func runSoak(ctx context.Context, sc soakConfig, servers []string, launchers map[string]launcher, log *slog.Logger) error {
	if err := os.MkdirAll(sc.out, 0o755); err != nil {
		return err
	}
	var runs []*soakRun
	var errs []error
	for _, name := range servers {
		if name == "floor" {
			log.Info("soak: skipped", "server", name, "why", "the floor server implements only connect and echo")
			continue
		}
		r, err := soakOne(ctx, sc, name, launchers[name], log)
		if err != nil {
			errs = append(errs, fmt.Errorf("soak on %s: %w", name, err))
			log.Error("soak failed", "server", name, "err", err)
		}
		if r != nil {
			runs = append(runs, r)
			b, _ := json.MarshalIndent(r, "", " ")
			if err := os.WriteFile(filepath.Join(sc.out, "soak-"+name+".json"), b, 0o644); err != nil {
				errs = append(errs, err)
			}
			fmt.Printf("soak %s: %d ws + %d polling clients, %s: %d acks, %d/%d deliveries, errors %d, CPU per message %.2f µs, late ticks %d\n",
				name, r.WS, r.Polling, r.Duration, r.Acks, r.Delivered, r.Expected, r.Errors, r.CPUPerMsg, r.LateTicks)
		}
	}
	if len(runs) > 0 {
		svg := soakSVG(runs)
		if err := os.WriteFile(filepath.Join(sc.out, "soak.svg"), svg, 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func soakOne(ctx context.Context, sc soakConfig, name string, launch launcher, log *slog.Logger) (*soakRun, error) {
	ctx, cancel := context.WithTimeout(ctx, sc.duration+10*time.Minute) // connecting and draining included
	defer cancel()
	t, err := launch(ctx)
	if err != nil {
		return nil, err
	}
	defer t.stop()
	load, _ := os.ReadFile("/proc/loadavg")
	run := &soakRun{Server: name, WS: sc.ws, Polling: sc.poll, Duration: sc.duration.String(),
		StartedUTC: time.Now().UTC().Format(time.RFC3339), LoadAverage: string(load)}

	wsd := loadgen.NewDialer(t.addr, &loadgen.DialOptions{SourceAddrs: 4})
	defer wsd.Close()
	pd := loadgen.NewDialer(t.addr, &loadgen.DialOptions{SourceAddrs: 4, Polling: true})
	defer pd.Close()
	wsConns, err := loadgen.Connect(ctx, wsd, sc.ws, 64)
	if err != nil {
		return nil, fmt.Errorf("connect websocket clients: %w", err)
	}
	defer loadgen.CloseAll(wsConns)
	pollConns, err := loadgen.Connect(ctx, pd, sc.poll, 64)
	if err != nil {
		return nil, fmt.Errorf("connect polling clients: %w", err)
	}
	defer loadgen.CloseAll(pollConns)
	// The broadcaster is one more websocket client, in no room and sending
	// no echo: it only asks for the room broadcasts.
	bc, err := wsd.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect the broadcaster: %w", err)
	}
	defer bc.Close()
	all := append(append([]*loadgen.Conn(nil), wsConns...), pollConns...)
	log.Info("soak: connected", "server", name, "ws", len(wsConns), "polling", len(pollConns))
	// Rooms: client i joins room i % rooms (a few at a time).
	roomSize := make([]int64, sc.rooms)
	var jwg sync.WaitGroup
	var joinErr atomic.Pointer[error]
	for w := range 32 {
		jwg.Go(func() {
			for i := w; i < len(all); i += 32 {
				if err := loadgen.Join(ctx, all[i:i+1], "room"+strconv.Itoa(i%sc.rooms)); err != nil {
					joinErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	jwg.Wait()
	if p := joinErr.Load(); p != nil {
		return nil, *p
	}
	for i := range all {
		roomSize[i%sc.rooms]++
	}
	for _, c := range all {
		loadgen.ResetCount(c, sc.bcastSize)
	}

	clients := make([]*soakClient, len(all))
	for i, c := range all {
		clients[i] = &soakClient{c: c}
	}
	var (
		mu        sync.Mutex
		hist      loadgen.Histogram
		acks      atomic.Int64
		bad       atomic.Int64
		late      atomic.Int64
		sendErrs  atomic.Int64
		expected  atomic.Int64
		bcastErrs atomic.Int64
	)
	args := []byte(`["echo","soak",1]`)
	reply := []byte(`["soak",1]`)
	start := time.Now()
	deadline := start.Add(sc.duration)
	var wg sync.WaitGroup
	// Senders: each client sends one acked event per second, at its own
	// offset within the second; 64 goroutines share the clients.
	const senders = 64
	for w := range senders {
		wg.Go(func() {
			var mine []*soakClient
			for i := w; i < len(clients); i += senders {
				mine = append(mine, clients[i])
			}
			offsets := make([]time.Duration, len(mine))
			for i := range offsets {
				offsets[i] = time.Duration(rand.Int64N(int64(time.Second)))
			}
			for sec := 0; ; sec++ {
				base := start.Add(time.Duration(sec) * time.Second)
				if !base.Before(deadline) {
					return
				}
				for i, cl := range mine {
					at := base.Add(offsets[i])
					if d := time.Until(at); d > 0 {
						if sleepCtx(ctx, d) != nil {
							return
						}
					}
					if cl.waiting.Load() {
						late.Add(1)
						continue
					}
					cl.waiting.Store(true)
					cl.sentAt.Store(time.Now().UnixNano())
					err := cl.c.EmitAck(args, func(data []byte) {
						d := time.Since(time.Unix(0, cl.sentAt.Load()))
						if string(data) != string(reply) {
							bad.Add(1)
						}
						mu.Lock()
						hist.Record(d)
						mu.Unlock()
						acks.Add(1)
						cl.waiting.Store(false)
					})
					if err != nil {
						sendErrs.Add(1)
						cl.waiting.Store(false)
					}
				}
			}
		})
	}
	// Broadcaster: every second, one message to every room, spread over the
	// second.
	wg.Go(func() {
		sender := bc
		for sec := 0; ; sec++ {
			for r := range sc.rooms {
				at := start.Add(time.Duration(sec)*time.Second + time.Duration(r)*time.Second/time.Duration(sc.rooms))
				if !at.Before(deadline) {
					return
				}
				if d := time.Until(at); d > 0 && sleepCtx(ctx, d) != nil {
					return
				}
				req := fmt.Appendf(nil, `["bcast",{"count":1,"size":%d,"room":"room%d"}]`, sc.bcastSize, r)
				expected.Add(roomSize[r])
				if err := sender.EmitAck(req, func([]byte) {}); err != nil {
					bcastErrs.Add(1)
				}
			}
		}
	})
	// Sampler.
	delivered := func() int64 {
		var n int64
		for _, c := range all {
			m, _ := c.Msgs()
			n += m
		}
		return n
	}
	var reported sync.Map
	errorsNow := func() int64 {
		n := bad.Load() + sendErrs.Load() + bcastErrs.Load()
		for i, c := range append([]*loadgen.Conn{bc}, all...) {
			select {
			case <-c.Done():
				if _, seen := reported.LoadOrStore(i, true); !seen && c.Err() != nil {
					log.Warn("soak: a client failed", "server", name, "client", i-1, "err", c.Err()) // -1: the broadcaster
				}
			default:
			}
		}
		for _, c := range all {
			select {
			case <-c.Done():
				n++
			default:
			}
			_, b := c.Msgs()
			n += b
		}
		return n
	}
	w0, err := begin(t)
	if err != nil {
		return nil, err
	}
	lastCPU, lastAcks, lastDel, lastSelf, lastAt := time.Duration(0), int64(0), int64(0), time.Duration(0), time.Now()
	for at := start.Add(sc.interval); ; at = at.Add(sc.interval) {
		if sleepCtx(ctx, time.Until(at)) != nil {
			break
		}
		mu.Lock()
		h := hist
		hist = loadgen.Histogram{}
		mu.Unlock()
		cpu, _, _ := w0.end()
		a, d := acks.Load(), delivered()
		s := soakSample{At: time.Since(start).Seconds(), Acks: a - lastAcks, Delivered: d - lastDel,
			P50: ms(h.Quantile(0.5)), P99: ms(h.Quantile(0.99)), Goroutines: -1, Errors: errorsNow()}
		if msgs := (a - lastAcks) + (d - lastDel); msgs > 0 {
			s.CPUPerMsg = micros(cpu-lastCPU) / float64(msgs)
		}
		if kb, err := rssKB(t.pid); err == nil {
			s.RSS = float64(kb) / 1024
		}
		if t.memNoGC != nil {
			if m, err := t.memNoGC(false); err == nil {
				s.Goroutines = float64(m[memstat.Goroutines])
			}
		}
		now := time.Now()
		s.LoadgenCPU = 100 * float64(w0.selfCPU-lastSelf) / float64(now.Sub(lastAt))
		lastCPU, lastAcks, lastDel, lastSelf, lastAt = cpu, a, d, w0.selfCPU, now
		run.Samples = append(run.Samples, s)
		log.Info("soak", "server", name, "t", fmt.Sprintf("%.0fs", s.At), "acks", s.Acks, "delivered", s.Delivered,
			"p50_ms", s.P50, "p99_ms", s.P99, "rss_mb", s.RSS, "goroutines", s.Goroutines, "cpu_per_msg_us", s.CPUPerMsg, "errors", s.Errors, "loadgen_cpu_pct", s.LoadgenCPU)
		if !at.Before(deadline) {
			break
		}
	}
	wg.Wait()
	// Drain: every outstanding ack and broadcast delivery within 30 s.
	drainEnd := time.Now().Add(30 * time.Second)
	for time.Now().Before(drainEnd) && (delivered() < expected.Load() || anyWaiting(clients)) {
		if sleepCtx(ctx, 100*time.Millisecond) != nil {
			break
		}
	}
	cpu, _, _ := w0.end()
	run.Acks, run.Delivered, run.Expected, run.LateTicks = acks.Load(), delivered(), expected.Load(), late.Load()
	if msgs := run.Acks + run.Delivered; msgs > 0 {
		run.CPUPerMsg = micros(cpu) / float64(msgs)
	}
	run.Errors = errorsNow()
	if run.Delivered != run.Expected {
		run.Errors += abs64(run.Expected - run.Delivered)
		run.ErrorText = append(run.ErrorText, fmt.Sprintf("deliveries %d, want %d", run.Delivered, run.Expected))
	}
	if n := countWaiting(clients); n > 0 {
		run.Errors += int64(n)
		run.ErrorText = append(run.ErrorText, fmt.Sprintf("%d acks never came", n))
	}
	if err := loadgen.Failed(append([]*loadgen.Conn{bc}, all...)); err != nil {
		run.ErrorText = append(run.ErrorText, err.Error())
	}
	if err := t.alive(); err != nil {
		return run, fmt.Errorf("server died: %w", err)
	}
	if run.Errors > 0 {
		return run, fmt.Errorf("%d errors: %v", run.Errors, run.ErrorText)
	}
	return run, nil
}

func anyWaiting(cs []*soakClient) bool { return countWaiting(cs) > 0 }

func countWaiting(cs []*soakClient) int {
	n := 0
	for _, c := range cs {
		if c.waiting.Load() {
			n++
		}
	}
	return n
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// replotSoak redraws soak.svg in dir from the soak-<server>.json files of
// servers (runs of different invocations plotted together).
func replotSoak(dir string, servers []string) error {
	var runs []*soakRun
	for _, name := range servers {
		b, err := os.ReadFile(filepath.Join(dir, "soak-"+name+".json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		var r soakRun
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		runs = append(runs, &r)
	}
	if len(runs) == 0 {
		return fmt.Errorf("no soak-<server>.json in %s", dir)
	}
	return os.WriteFile(filepath.Join(dir, "soak.svg"), soakSVG(runs), 0o644)
}
