//go:build !js

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/duplexio/duplex/bench/memstat"
)

// controlProfiler drives the profiling endpoints of bench/server's control port.
func controlProfiler(base string) profiler {
	c := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) error {
		resp, err := c.Get(base + path)
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("profile: %s: %s %s", path, resp.Status, body)
		}
		return nil
	}
	return profiler{
		cpuStart: func(name string) error { return get("/cpu/start?name=" + url.QueryEscape(name)) },
		cpuStop:  func() error { return get("/cpu/stop") },
		heap:     func(name string) error { return get("/heap?name=" + url.QueryEscape(name)) },
	}
}

// controlMem reads the runtime's memory accounting of a Go server through
// its control port's /mem endpoint (see bench/memstat).
func controlMem(base string) func(free bool) (memstat.Snapshot, error) {
	return controlMemPath(base, "/mem", "/mem?free=1")
}

// controlMemNoGC reads a Go server's memory accounting without a collection
// (the soak's samples of a running server).
func controlMemNoGC(base string) func(bool) (memstat.Snapshot, error) {
	return controlMemPath(base, "/mem?nogc=1", "/mem?nogc=1")
}

func controlMemPath(base, plain, freed string) func(free bool) (memstat.Snapshot, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	return func(free bool) (memstat.Snapshot, error) {
		path := plain
		if free {
			path = freed
		}
		resp, err := c.Get(base + path)
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			return nil, fmt.Errorf("memory: %s %s", resp.Status, body)
		}
		s, err := memstat.Parse(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		return s, nil
	}
}
