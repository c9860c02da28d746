// Command clusternode is a duplex node of a Redis cluster for the interop
// tests of adapter/redis that need a node in a process of its own (to
// SIGKILL it): a socket.io server on 127.0.0.1 whose sockets get data {name,
// node} and join the rooms of their query ("rooms", comma-separated), as
// interop/cluster/node.js does.
//
//	clusternode -redis HOST:PORT [-mode streams|sharded] [-name g9] [-recovery 2m]
//
// It prints {"ready":true,"port":N} on stdout once it listens, and runs until
// killed (SIGTERM or SIGINT: a graceful stop).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	redis "github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/scripted"
	"github.com/duplexio/duplex/server"
)

func main() {
	addr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	mode := flag.String("mode", "streams", "streams or sharded")
	name := flag.String("name", "go", "the node's name (in socket data)")
	recovery := flag.Duration("recovery", 2*time.Minute, "connection state recovery's maxDisconnectionDuration (0: off)")
	flag.Parse()
	if err := run(*addr, *mode, *name, *recovery); err != nil {
		log.Fatal(err)
	}
}

func run(addr, mode, name string, recovery time.Duration) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := redis.NewClient(redis.ClientOptions{Addrs: []string{addr}, Logger: logger})
	if err != nil {
		return err
	}
	defer c.Close()
	opts := &server.Options{Logger: logger}
	if recovery > 0 {
		opts.ConnectionStateRecovery = &server.RecoveryOptions{MaxDisconnectionDuration: recovery}
	}
	switch mode {
	case "streams":
		s := redis.NewStreams(c, &redis.StreamsOptions{Logger: logger})
		defer s.Close()
		opts.Adapter = s.Adapter
	case "sharded":
		s := redis.NewSharded(c, &redis.ShardedOptions{Logger: logger})
		defer s.Close()
		opts.Adapter = s.Adapter
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	srv := server.New(opts)
	defer srv.Close(context.Background())
	srv.Use(scripted.Middleware(name))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	ready, _ := json.Marshal(map[string]any{"ready": true, "port": ln.Addr().(*net.TCPAddr).Port, "name": name})
	fmt.Println(string(ready))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(ctx)
}
