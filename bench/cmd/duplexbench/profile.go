//go:build !js

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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

// controlHeap reads the live heap of bench/server through its /mem endpoint
// (see benchserver.HeapInUse).
func controlHeap(base string) func(free bool) (uint64, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	return func(free bool) (uint64, error) {
		path := "/mem"
		if free {
			path += "?free=1"
		}
		resp, err := c.Get(base + path)
		if err != nil {
			return 0, fmt.Errorf("heap: %w", err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if err != nil {
			return 0, fmt.Errorf("heap: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("heap: %s %s", resp.Status, body)
		}
		n, err := strconv.ParseUint(strings.TrimSpace(string(body)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("heap: %w", err)
		}
		return n, nil
	}
}
