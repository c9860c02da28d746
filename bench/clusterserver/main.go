//go:build !js

// Command clusterserver is the duplex node of the cluster benchmark
// (duplexbench -scenarios cluster): the benchmark contract of bench/server
// plus "pbcast" (see benchserver.NewCluster), on a Redis adapter of
// adapter/redis in the given mode, or alone (-mode none) for the single-node
// figures. It listens on -addr, prints "listening <port>" once its adapter
// is subscribed, and serves until SIGTERM or SIGINT.
//
//	clusterserver -redis 127.0.0.1:6379 -mode streams|classic|sharded|none [-cpuprofile FILE]
//
// With -cpuprofile it writes a CPU profile of its whole life to FILE.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/bench/benchserver"
	"github.com/duplexio/duplex/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	mode := flag.String("mode", "streams", "streams, classic, sharded or none (no Redis)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := run(*addr, *redisAddr, *mode, *cpuProfile, log); err != nil {
		log.Error("cluster bench server", "err", err)
		os.Exit(1)
	}
}

func run(addr, redisAddr, mode, cpuProfile string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	var adapter func(*server.Namespace) server.Adapter
	if mode != "none" {
		c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{redisAddr}, Logger: log})
		if err != nil {
			return err
		}
		defer c.Close()
		switch mode {
		case "streams":
			s := redis.NewStreams(c, &redis.StreamsOptions{Logger: log})
			defer s.Close()
			adapter = s.Adapter
		case "sharded":
			s := redis.NewSharded(c, &redis.ShardedOptions{Logger: log})
			defer s.Close()
			adapter = s.Adapter
		case "classic":
			s := redis.NewClassic(c, &redis.ClassicOptions{Logger: log})
			defer s.Close()
			adapter = s.Adapter
		default:
			return fmt.Errorf("unknown mode %q (streams, classic, sharded, none)", mode)
		}
	}
	srv := benchserver.NewCluster(log, adapter)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(srv.Close(sctx), hs.Shutdown(sctx))
}
