//go:build !js

// Command server is the duplex side of the benchmark (see bench/benchserver):
// it listens on -addr, prints "listening <port>", and serves the contract at
// /socket.io/ until SIGTERM or SIGINT.
//
// With -fast it serves through server.Server.Serve (the opt-in listener that
// answers long-polling requests without net/http) instead of http.Server.Serve.
//
// With -control it also serves, on that side address (printed as
// "control <port>"), /mem (the runtime's memory accounting after a GC, with
// ?free=1 after debug.FreeOSMemory: see bench/memstat), and, with
// -profile-dir, net/http/pprof under /debug/pprof/ and the endpoints the
// benchmark runner uses to profile one phase: /cpu/start?name=N, /cpu/stop
// and /heap?name=N, writing N.cpu.pprof / N.heap.pprof into that directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	rpprof "runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/duplexio/duplex/bench/benchserver"
	"github.com/duplexio/duplex/bench/memstat"
	"github.com/duplexio/duplex/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	control := flag.String("control", "", "side address for pprof and profiling control (off when empty)")
	profileDir := flag.String("profile-dir", "", "directory of the profiles written via the control address (no profiling endpoints when empty)")
	fast := flag.Bool("fast", false, "serve with server.Server.Serve (long-polling answered without net/http)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := run(*addr, *control, *profileDir, *fast, log); err != nil {
		log.Error("bench server", "err", err)
		os.Exit(1)
	}
}

func run(addr, control, profileDir string, fast bool, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := benchserver.New(log)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() {
		if fast {
			served <- srv.Serve(ctx, ln, server.ServeOptions{Path: "/socket.io/", HTTP: hs})
			return
		}
		served <- hs.Serve(ln)
	}()
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)

	var cs *http.Server
	if control != "" {
		cln, err := net.Listen("tcp", control)
		if err != nil {
			return err
		}
		cs = &http.Server{Handler: controlMux(profileDir), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = cs.Serve(cln) }()
		fmt.Printf("control %d\n", cln.Addr().(*net.TCPAddr).Port)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Close(sctx)
	err = errors.Join(err, hs.Shutdown(sctx))
	if cs != nil {
		err = errors.Join(err, cs.Close())
	}
	return err
}

// controlMux serves /mem, and pprof and the phase profiling endpoints when
// dir is set.
func controlMux(dir string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /mem", memstat.Handler())
	if dir == "" {
		return mux
	}
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	var mu sync.Mutex
	var cpu *os.File
	var phase string // name of the running CPU profile
	name := func(r *http.Request, suffix string) (string, error) {
		n := r.URL.Query().Get("name")
		if n == "" || strings.ContainsAny(n, `/\`) || strings.HasPrefix(n, ".") {
			return "", fmt.Errorf("bad profile name %q", n)
		}
		return filepath.Join(dir, n+suffix), nil
	}
	mux.HandleFunc("/cpu/start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		path, err := name(r, ".cpu.pprof")
		if err == nil && cpu != nil {
			err = errors.New("a CPU profile is already running")
		}
		if err == nil {
			phase = r.URL.Query().Get("name")
			err = writeProfiles(dir, phase+".before")
		}
		if err == nil {
			cpu, err = os.Create(path)
		}
		if err == nil {
			if err = rpprof.StartCPUProfile(cpu); err != nil {
				cpu.Close()
				cpu = nil
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/cpu/stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if cpu == nil {
			return
		}
		rpprof.StopCPUProfile()
		err := errors.Join(cpu.Close(), writeProfiles(dir, phase+".after"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
		cpu = nil
	})
	mux.HandleFunc("/heap", func(w http.ResponseWriter, r *http.Request) {
		path, err := name(r, ".heap.pprof")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := writeProfiles(dir, strings.TrimSuffix(filepath.Base(path), ".heap.pprof")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	return mux
}

// writeProfiles writes, after a GC, the heap profile (N.heap.pprof: in-use
// and cumulative allocations; diff two with pprof -base) and the goroutine
// dump (N.goroutines.txt) and the runtime's memory classes (N.memory.txt)
// into dir.
func writeProfiles(dir, name string) error {
	runtime.GC()
	var err error
	for _, p := range []struct {
		profile, suffix string
		debug           int
	}{{"heap", ".heap.pprof", 0}, {"goroutine", ".goroutines.txt", 1}} {
		f, ferr := os.Create(filepath.Join(dir, name+p.suffix))
		if ferr != nil {
			err = errors.Join(err, ferr)
			continue
		}
		err = errors.Join(err, rpprof.Lookup(p.profile).WriteTo(f, p.debug), f.Close())
	}
	return errors.Join(err, writeMemClasses(filepath.Join(dir, name+".memory.txt")))
}

// writeMemClasses writes runtime/metrics' memory classes (where the
// process's memory is: heap objects, free heap, stacks, ...) in bytes, and
// the goroutine counts.
func writeMemClasses(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = memstat.ReadNoGC().WriteTo(f)
	return errors.Join(err, f.Close())
}
