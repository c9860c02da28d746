//go:build !js

package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/bench/benchserver"
	"github.com/duplexio/duplex/bench/memstat"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/server"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// inProcessDuplex serves the contract from this process (the test does not
// build bench/server: the runner path from here on is the real one).
func inProcessDuplex(t *testing.T, fast bool) launcher {
	return func(ctx context.Context) (*target, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := benchserver.New(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		mux := http.NewServeMux()
		mux.Handle("/socket.io/", srv)
		hs := &http.Server{Handler: mux}
		served := make(chan error, 1)
		go func() {
			if fast { // as bench/server -fast
				served <- srv.Serve(context.Background(), ln, server.ServeOptions{Path: "/socket.io/", HTTP: hs})
				return
			}
			served <- hs.Serve(ln)
		}()
		return &target{
			name:  "duplex",
			addr:  ln.Addr().String(),
			pid:   os.Getpid(),
			alive: func() error { return nil },
			mem:   func(free bool) (memstat.Snapshot, error) { return memstat.Read(free), nil },
			stop: func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := errors.Join(srv.Close(ctx), hs.Shutdown(ctx)); err != nil {
					t.Errorf("stop duplex server: %v", err)
				}
				if err := <-served; !errors.Is(err, http.ErrServerClosed) {
					t.Errorf("serve: %v", err)
				}
			},
		}, nil
	}
}

// TestSmoke runs every scenario once, tiny, against the duplex server, the
// Node socket.io server and the floor server (built as the runner builds it;
// it skips the scenarios it does not implement): the scenarios themselves
// fail on any lost message, wrong size, message outside its room, missing or
// wrong ack.
func TestSmoke(t *testing.T) {
	root := filepath.Dir(nodetest.Root(t)) // fails loudly without node / the npm packages
	if _, err := os.Stat(filepath.Join(root, "bench", "node", "server.js")); err != nil {
		t.Fatal(err)
	}
	cfg := &config{
		rounds:             1,
		servers:            []string{"duplex", "duplex-fast", "node", "floor"},
		scenarios:          []string{"connect", "echo", "pecho", "bcast", "bcast1k", "bcastz", "pbcast", "room", "slow"},
		conns:              []int{20},
		connectConcurrency: 8,
		sourceAddrs:        2,
		settle:             100 * time.Millisecond,
		leaveSettle:        100 * time.Millisecond,
		echoClients:        5,
		echoDuration:       10 * time.Second,
		echoMax:            10,
		bcastClients:       20,
		bcastCount:         10,
		bcastBursts:        1,
		bcastTimeout:       10 * time.Second,
		roomSize:           5,
		slowBursts:         1,
		scenarioTimeout:    20 * time.Second,
	}
	floorBin, err := goBuild(t.Context(), root, t.TempDir(), "./bench/floor")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.gBytes, err = measureGoroutine(t.Context(), floorBin); err != nil {
		t.Fatal(err)
	}
	launchers := map[string]launcher{"duplex": inProcessDuplex(t, false), "duplex-fast": inProcessDuplex(t, true), "node": nodeProcess(root, -1), "floor": floorProcess(root, floorBin, -1, false),
		floorPolling: floorProcess(root, floorBin, -1, true)}
	var logs strings.Builder
	res := run(t.Context(), cfg, launchers, slog.New(slog.NewTextHandler(&logs, nil)))
	var table strings.Builder
	res.write(&table, cfg.servers, cfg.rounds)
	t.Logf("\n%s", table.String())
	if !strings.Contains(table.String(), "| duplex/floor |") || !strings.Contains(table.String(), "skipped (the floor server implements only") {
		t.Error("the table has no floor column or no skip note")
	}
	for _, sc := range res.order {
		for _, s := range cfg.servers {
			if errs := res.errs[sc.name][s]; len(errs) > 0 {
				t.Errorf("%s on %s: %s", sc.name, s, strings.Join(errs, "; "))
			}
		}
		for _, m := range res.metrics[sc.name] {
			for _, s := range cfg.servers {
				if s == "node" && m.goOnly {
					continue // the Node server does not report its heap
				}
				if why := skipReason(s, sc.kind); why != "" {
					if res.skips[sc.name][s] != why || len(res.values[sc.name][m.name][s]) != 0 {
						t.Errorf("%s / %s: %s not skipped", sc.name, m.name, s)
					}
					continue
				}
				if len(res.values[sc.name][m.name][s]) != 1 {
					t.Errorf("%s / %s: no figure for %s", sc.name, m.name, s)
				}
			}
		}
		if len(res.metrics[sc.name]) == 0 {
			t.Errorf("%s: no figures", sc.name)
		}
	}
	if t.Failed() {
		t.Logf("runner log:\n%s", logs.String())
	}
}
