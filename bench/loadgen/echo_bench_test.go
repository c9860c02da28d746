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
// per second, the p99 latency, and the CPU time of this whole process per
// round trip: against the Node server that is the load generator's own cost.
func benchEcho(b *testing.B, addr string) {
	const clients = 100
	ctx := context.Background()
	d := NewDialer(addr, nil)
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
	before := cpuTime(b)
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
	cpu := cpuTime(b) - before
	b.ReportMetric(float64(res.RoundTrips)/res.Elapsed.Seconds(), "rt/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(res.RoundTrips), "cpu-ns/rt")
	b.ReportMetric(float64(res.Latency.Quantile(0.99).Microseconds()), "p99-µs")
}

// cpuTime returns the user + system CPU time of this process.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEchoNode drives the Node server: cpu-ns/rt is the load
// generator's CPU per round trip (Node runs in its own process).
func BenchmarkEchoNode(b *testing.B) { benchEcho(b, startNode(b)) }

// BenchmarkEchoDuplex drives an in-process duplex server: cpu-ns/rt is the
// load generator and the server together.
func BenchmarkEchoDuplex(b *testing.B) { benchEcho(b, startDuplex(b)) }
