//go:build !js

// Command fixedload puts a fixed amount of work on a running contract server
// (bench/server, bench/node/server.js, bench/floor): -clients connect, each
// does -echo closed-loop echo round trips with acks, then the first client
// asks for -bursts broadcasts of -count × -size bytes to all; then they all
// leave. The same work every time, whatever the machine's load: run the
// server under `valgrind --tool=callgrind` with two amounts of work and the
// difference of the instruction counts, divided by the difference of the
// work, is the server's instructions per round trip (or per delivered
// message) without the start, the connects and the leaves (bench/callgrind.sh).
//
// It prints what it did and fails (exit status 1) on any lost or wrong ack
// or message.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
)

func main() {
	addr := flag.String("addr", "", "server address host:port")
	clients := flag.Int("clients", 10, "clients")
	polling := flag.Bool("polling", false, "HTTP long-polling instead of websocket")
	echo := flag.Uint64("echo", 0, "echo round trips per client")
	bursts := flag.Int("bursts", 0, "broadcast requests (of the first client, to all)")
	count := flag.Int("count", 100, "messages per broadcast")
	size := flag.Int("size", 128, "bytes per broadcast message")
	timeout := flag.Duration("timeout", 5*time.Minute, "deadline of the whole run")
	flag.Parse()
	if err := run(*addr, *clients, *polling, *echo, *bursts, *count, *size, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "fixedload:", err)
		os.Exit(1)
	}
}

func run(addr string, clients int, polling bool, echo uint64, bursts, count, size int, timeout time.Duration) error {
	if addr == "" || clients < 1 {
		return errors.New("-addr and -clients >= 1 are required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	d := loadgen.NewDialer(addr, &loadgen.DialOptions{Polling: polling, HandshakeTimeout: time.Minute})
	defer d.Close()
	conns, err := loadgen.Connect(ctx, d, clients, 8)
	if err != nil {
		return err
	}
	defer loadgen.CloseAll(conns)
	if echo > 0 {
		res, err := loadgen.Echo(ctx, conns, timeout, echo, time.Minute)
		if err != nil {
			return err
		}
		if want := echo * uint64(clients); res.RoundTrips != want || res.Mismatched != 0 {
			return fmt.Errorf("echo: %d round trips (%d mismatched), want %d", res.RoundTrips, res.Mismatched, want)
		}
		fmt.Printf("echo: %d round trips\n", res.RoundTrips)
	}
	for i := range bursts {
		b := loadgen.Broadcast{Count: count, Size: size, Seed: i + 1}
		res, err := loadgen.RunBroadcast(ctx, conns[0], conns, nil, b, time.Minute)
		if err != nil {
			return err
		}
		if res.Delivered != res.Expected || res.BadSize != 0 || !res.Acked {
			return fmt.Errorf("broadcast %d: %+v", i, res)
		}
	}
	if bursts > 0 {
		fmt.Printf("broadcast: %d messages delivered\n", int64(bursts)*int64(count)*int64(clients))
	}
	var gets, posts int64
	for _, c := range conns {
		g, p := c.HTTPRequests()
		gets, posts = gets+g, posts+p
	}
	if polling {
		fmt.Printf("HTTP: %d GETs, %d POSTs\n", gets, posts)
	}
	return loadgen.Failed(conns)
}
