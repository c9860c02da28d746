//go:build js && wasm

// Command gomeasure is the Go-authored page of the browser receive
// benchmarks (built to gomeasure.wasm by the e2e harness): a socket of
// package client whose "m" handler is Go. It sets window.__connectAt on
// connect and defines window.__goFlood(n, size, resolve), the Go half of
// gomeasure.html's __flood: ask the server for n events of size bytes, in
// batches as the JavaScript pages do, and call resolve with the ms taken
// once the handler has decoded the last one. With ?inline=1 the socket has
// NonBlockingHandlers.
package main

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
)

func main() {
	if err := run(); err != nil {
		fmt.Println("gomeasure:", err)
		_ = safejs.Global().Set("__result", "fail: "+err.Error())
	}
	select {} // the page's lifetime
}

// flood is one run of __goFlood.
type flood struct {
	mu            sync.Mutex
	n, size, seen int
	batch         int
	bytes         int
	t0            float64
	resolve       safejs.Value
}

func run() error {
	g := safejs.Global()
	loc, err := g.Get("location")
	if err != nil {
		return err
	}
	originV, err := loc.Get("origin")
	if err != nil {
		return err
	}
	origin, err := originV.String()
	if err != nil {
		return err
	}
	searchV, err := loc.Get("search")
	if err != nil {
		return err
	}
	search, _ := searchV.String()
	q, _ := url.ParseQuery(strings.TrimPrefix(search, "?"))
	perf, err := g.Get("performance")
	if err != nil {
		return err
	}
	now := func() float64 {
		v, err := perf.Call("now")
		if err != nil {
			return 0
		}
		f, _ := v.Float()
		return f
	}

	m, err := client.NewManager(origin, nil)
	if err != nil {
		return err
	}
	sock := m.Socket("/", &client.SocketOptions{NonBlockingHandlers: q.Get("inline") == "1"})
	sock.OnConnect(func() { _ = g.Set("__connectAt", now()) })
	f := &flood{}
	sock.On("m", func(e *client.Event) {
		var (
			i int
			p string
		)
		if err := e.Decode(&i, &p); err != nil {
			fmt.Println("gomeasure: m:", err)
			return
		}
		f.mu.Lock()
		f.seen++
		f.bytes += len(p)
		seen, n, batch, size := f.seen, f.n, f.batch, f.size
		f.mu.Unlock()
		switch {
		case seen == n:
			if _, err := f.resolve.Invoke(now() - f.t0); err != nil {
				fmt.Println("gomeasure: resolve:", err)
			}
		case seen%batch == 0:
			_ = sock.Emit("flood", min(batch, n-seen), size)
		}
	})
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) < 3 {
			return nil
		}
		n, _ := args[0].Int()
		size, _ := args[1].Int()
		f.mu.Lock()
		f.n, f.size, f.seen, f.bytes = n, size, 0, 0
		f.batch = max(1, min(n, (512<<10)/(size+32), 500))
		f.resolve = args[2]
		f.t0 = now()
		batch := f.batch
		f.mu.Unlock()
		_ = sock.Emit("flood", batch, size) // Emit queues and returns
		return nil
	})
	if err != nil {
		return err
	}
	return g.Set("__goFlood", start.Value())
}
