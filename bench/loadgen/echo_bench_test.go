//go:build unix

package loadgen

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// benchEcho runs the echo scenario's closed loop (100 connections, one
// outstanding "echo" each) for b.N round trips in all against the server at
// addr. Besides ns/op (wall time per round trip) it reports the round trips
// per second, the p99 latency, and the user and system CPU time of this
// whole process per round trip: against the Node server that is the load
// generator's own cost.
func benchEcho(b *testing.B, addr string, polling bool) {
	const clients = 100
	ctx := context.Background()
	d := NewDialer(addr, &DialOptions{Polling: polling})
	defer d.Close()
	conns, err := Connect(ctx, d, clients, 16)
	if err != nil {
		b.Fatal(err)
	}
	defer CloseAll(conns)
	if _, err := Echo(ctx, conns, 200*time.Millisecond, 0, 5*time.Second); err != nil { // warm up
		b.Fatal(err)
	}
	perConn := uint64(max(1, b.N/clients))
	usr0, sys0 := cpuTime(b)
	b.ResetTimer()
	res, err := Echo(ctx, conns, 10*time.Minute, perConn, 5*time.Second)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if res.Mismatched > 0 || res.RoundTrips != perConn*clients {
		b.Fatalf("%d round trips, %d mismatched; want %d", res.RoundTrips, res.Mismatched, perConn*clients)
	}
	if err := Failed(conns); err != nil {
		b.Fatal(err)
	}
	usr1, sys1 := cpuTime(b)
	rt := float64(res.RoundTrips)
	b.ReportMetric(rt/res.Elapsed.Seconds(), "rt/s")
	b.ReportMetric(float64((usr1-usr0).Nanoseconds())/rt, "usr-ns/rt")
	b.ReportMetric(float64((sys1-sys0).Nanoseconds())/rt, "sys-ns/rt")
	b.ReportMetric(float64(res.Latency.Quantile(0.99).Microseconds()), "p99-µs")
}

// cpuTime returns the user and the system CPU time of this process.
func cpuTime(tb testing.TB) (usr, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// BenchmarkEchoNode drives the Node server: usr-ns/rt + sys-ns/rt is the
// load generator's CPU per round trip (Node runs in its own process). Run it
// as the runner runs the load generator, on one core:
//
//	taskset -c 0 go test -run '^$' -bench EchoNode -benchtime 300000x -cpu 1 ./bench/loadgen/
func BenchmarkEchoNode(b *testing.B) { benchEcho(b, startNode(b), false) }

// BenchmarkPollingEchoNode is BenchmarkEchoNode over HTTP long-polling (the
// pecho scenario's load): the polling client's CPU per round trip.
func BenchmarkPollingEchoNode(b *testing.B) { benchEcho(b, startNode(b), true) }

// BenchmarkEchoDuplex drives an in-process duplex server: the CPU per round
// trip is the load generator's and the server's together.
func BenchmarkEchoDuplex(b *testing.B) { benchEcho(b, startDuplex(b), false) }

// benchBroadcast asks for b.N broadcasts of count × size bytes to 200
// connections and reports the user and system CPU time of this process per
// delivered message.
func benchBroadcast(b *testing.B, addr string, count, size int) {
	const clients = 200
	ctx := context.Background()
	conns, err := Connect(ctx, NewDialer(addr, nil), clients, 16)
	if err != nil {
		b.Fatal(err)
	}
	defer CloseAll(conns)
	req := Broadcast{Count: count, Size: size}
	var delivered int64
	usr0, sys0 := cpuTime(b)
	for b.Loop() {
		res, err := RunBroadcast(ctx, conns[0], conns, nil, req, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if res.Delivered != res.Expected || res.BadSize != 0 {
			b.Fatalf("delivered %d of %d, %d of the wrong size", res.Delivered, res.Expected, res.BadSize)
		}
		delivered += res.Delivered
	}
	usr1, sys1 := cpuTime(b)
	if err := Failed(conns); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64((usr1-usr0).Nanoseconds())/float64(delivered), "usr-ns/msg")
	b.ReportMetric(float64((sys1-sys0).Nanoseconds())/float64(delivered), "sys-ns/msg")
}

// BenchmarkBroadcastDuplex: 100 × 1 KB to 200 connections of an in-process
// duplex server (the CPU is the server's and the load generator's).
func BenchmarkBroadcastDuplex(b *testing.B) { benchBroadcast(b, startDuplex(b), 100, 1024) }
