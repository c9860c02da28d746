//go:build !js

package memstat

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Names of the runtime/metrics samples a Snapshot always holds (besides every
// /memory/classes/ one).
const (
	HeapObjects       = "/memory/classes/heap/objects:bytes"
	Goroutines        = "/sched/goroutines:goroutines"
	GoroutinesCreated = "/sched/goroutines-created:goroutines"
)

// Snapshot is a reading of runtime/metrics: every /memory/classes/ sample and
// the goroutine counters, by metric name, as unsigned integers.
type Snapshot map[string]uint64

// Sum adds the samples whose names start with any of prefixes.
func (s Snapshot) Sum(prefixes ...string) uint64 {
	var n uint64
	for name, v := range s {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				n += v
				break
			}
		}
	}
	return n
}

// Read collects a Snapshot after a full GC, or with free after
// debug.FreeOSMemory (a GC that also returns freed memory to the OS, so that
// the RSS read next shows the memory once returned).
func Read(free bool) Snapshot {
	if free {
		debug.FreeOSMemory()
	} else {
		runtime.GC()
	}
	return ReadNoGC()
}

// ReadNoGC collects a Snapshot without collecting garbage first.
func ReadNoGC() Snapshot {
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") || d.Name == Goroutines || d.Name == GoroutinesCreated {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	s := make(Snapshot, len(samples))
	for _, m := range samples {
		if m.Value.Kind() == metrics.KindUint64 {
			s[m.Name] = m.Value.Uint64()
		}
	}
	return s
}

// WriteTo writes the snapshot as "name value" lines, sorted by name.
func (s Snapshot) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range s {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s %d\n", name, s[name])
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Parse reads what WriteTo wrote.
func Parse(r io.Reader) (Snapshot, error) {
	s := Snapshot{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("memstat: bad line %q", line)
		}
		v, err := strconv.ParseUint(strings.TrimSpace(val), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("memstat: bad line %q: %w", line, err)
		}
		s[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("memstat: %w", err)
	}
	if _, ok := s[HeapObjects]; !ok {
		return nil, fmt.Errorf("memstat: no %s in the snapshot", HeapObjects)
	}
	return s, nil
}

// Handler serves GET /mem: a Snapshot (see Read) as "name value" lines;
// /mem?free=1 reads it after debug.FreeOSMemory, /mem?nogc=1 without a
// collection (ReadNoGC: for sampling a running server).
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mem", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if r.URL.Query().Get("nogc") == "1" {
			_, _ = ReadNoGC().WriteTo(w)
			return
		}
		_, _ = Read(r.URL.Query().Get("free") == "1").WriteTo(w)
	})
	return mux
}

// GoroutineBytes measures the heap a goroutine descriptor keeps for the rest
// of the process once its goroutine has ended: it starts n goroutines that
// all exist at once, lets them end, collects garbage and returns the live
// heap's growth per goroutine. The runtime never frees a goroutine
// descriptor (it keeps every one for reuse, and in its list of all
// goroutines), so a process keeps this much per goroutine of its peak
// goroutine count. Run it in a fresh process: descriptors left free by
// earlier goroutines are reused and not counted.
func GoroutineBytes(n int) float64 {
	if n <= 0 {
		return 0
	}
	before := Read(false)[HeapObjects]
	var started, ended sync.WaitGroup
	release := make(chan struct{})
	started.Add(n)
	ended.Add(n)
	for range n {
		go func() {
			defer ended.Done()
			started.Done()
			<-release
		}()
	}
	started.Wait()
	close(release)
	ended.Wait()
	after := Read(false)[HeapObjects]
	return (float64(after) - float64(before)) / float64(n)
}
