//go:build !js

// Command floor is the benchmark's floor, not a competitor: the least a Go
// server can do to pass the contract's connect and echo scenarios, so that
// the duplex figures can be read against what syscalls, scheduling and
// minimal state cost on this machine.
//
// It uses only Go's net package, the cheapest way it allows: one goroutine
// per connection, the HTTP upgrade parsed by hand, the 101 response and the
// Engine.IO open packet in one write, WebSocket frames read and written
// directly, one write per reply. Of Socket.IO it knows the default
// namespace's CONNECT (answered with a socket id) and "echo" events, whose
// ack carries the arguments verbatim (not parsed as JSON). It has no
// heartbeat (no pings: a real client would drop it after pingInterval +
// pingTimeout), no polling, no rooms, no broadcast, no other event: those
// get a WebSocket close with a reason.
//
// With -polling it serves instead the polling floor (polling.go): the same
// idea for HTTP long-polling, on net/http (the least a Go http.Handler can
// do for the pecho and pbcast scenarios).
//
// It listens on -addr and prints "listening <port>"; with -control it also
// serves bench/memstat's /mem on that side address (printed as
// "control <port>"). With -measure-g N it prints "goroutine <bytes>", the
// heap a goroutine descriptor keeps for good (memstat.GoroutineBytes over N
// goroutines, in this fresh process), and exits.
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
	"syscall"
	"time"

	"github.com/duplexio/duplex/bench/memstat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	control := flag.String("control", "", "side address serving /mem (bench/memstat); off when empty")
	measureG := flag.Int("measure-g", 0, "print the heap kept per goroutine descriptor, measured over N goroutines, and exit")
	verbose := flag.Bool("v", false, "log every connection's error")
	polling := flag.Bool("polling", false, "serve the polling floor (net/http, polling.go) instead of the websocket one")
	flag.Parse()
	if *measureG > 0 {
		fmt.Printf("goroutine %.1f\n", memstat.GoroutineBytes(*measureG))
		return
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := run(*addr, *control, *polling, log); err != nil {
		log.Error("floor server", "err", err)
		os.Exit(1)
	}
}

func run(addr, control string, polling bool, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var srv interface{ close(context.Context) error }
	served := make(chan error, 1)
	if polling {
		hs := &http.Server{Handler: newPollServer(log), ReadHeaderTimeout: 10 * time.Second}
		srv = httpCloser{hs}
		go func() {
			if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				served <- err
			}
			close(served)
		}()
	} else {
		s := newServer(log)
		srv = s
		go func() { served <- s.serve(ln) }()
	}
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)

	var cs *http.Server
	if control != "" {
		cln, err := net.Listen("tcp", control)
		if err != nil {
			_ = srv.close(ctx)
			return err
		}
		cs = &http.Server{Handler: memstat.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = cs.Serve(cln) }()
		fmt.Printf("control %d\n", cln.Addr().(*net.TCPAddr).Port)
	}

	select {
	case <-ctx.Done():
	case err = <-served:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(err, srv.close(sctx))
	if cs != nil {
		err = errors.Join(err, cs.Close())
	}
	return err
}

// httpCloser closes the polling floor's http.Server at once: its pending
// GETs end with their connections.
type httpCloser struct{ hs *http.Server }

func (h httpCloser) close(context.Context) error { return h.hs.Close() }
