//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
)

// burstN is the number of "b" events of each burst (burstTest in e2e).
const burstN = 40

// burstText is the text of event i of burst round (e2e's burstTextLen):
// "y" in the first burst, "z" in the second, over 16 KB every fourth event.
func burstText(round, i int) string {
	fill, n := "y", i
	if round > 0 {
		fill = "z"
	}
	if i%4 == 3 {
		n = 16<<10 + i
	}
	return strings.Repeat(fill, n)
}

// burst is the scenario of gopage.html?burst=1 (e2e.TestBrowserGoPageBatch):
// twice, it asks the server for a burst ("burst", close): "start", then
// burstN events "b" (i, a string (burstText), or, every fourth, i and the
// bytes {i, 255}: binary frames between the text ones), the second time
// followed by the end of the session. The "start" handler keeps the main
// thread busy for 300 ms, so that the burst's frames wait in the browser
// meanwhile. It checks that every event arrives once, in order, with its
// payload, that the second burst is followed by a disconnect with reason
// "transport close", that the first burst's events still hold their
// arguments after the second, and the strings their handlers decoded their
// text (a string shares its frame's bytes), and that the handlers of each burst ran in fewer
// JavaScript entries than events (the WebSocket's frames reach Go in
// batches); unless batched is false (gopage.html?burst=1&csp=1, served
// under a Content-Security-Policy without 'unsafe-eval'): one entry per
// event then.
func burst(ctx context.Context, origin string, batched bool) error {
	opts := &client.Options{NoReconnection: true}
	opts.Engine.Transports = []string{"websocket"}
	sock := client.Connect(origin, opts)
	defer sock.Disconnect()

	qm, err := safejs.Global().Get("queueMicrotask")
	if err != nil {
		return err
	}
	var (
		mu      sync.Mutex
		armed   bool // an entry's first handler ran; its microtask has not
		entries int  // JavaScript entries in which "b" handlers ran
		got     []int
		bad     error
		kept    []*client.Event // the first burst's text events, checked again at the end
		keptS   []string        // and the strings their handlers decoded
		keep    = true
		round   int
	)
	disarm, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		mu.Lock()
		armed = false
		mu.Unlock()
		return nil
	})
	if err != nil {
		return err
	}
	defer disarm.Release()

	connected := make(chan struct{}, 1)
	done := make(chan struct{}, 1)
	disconnected := make(chan string, 1)
	sock.OnConnect(func() { connected <- struct{}{} })
	sock.OnConnectError(func(err error) { fmt.Println("connect_error", err) })
	sock.OnDisconnect(func(reason string) { disconnected <- reason })
	sock.On("start", func(*client.Event) {
		for t0 := time.Now(); time.Since(t0) < 300*time.Millisecond; {
		}
	})
	sock.On("b", func(e *client.Event) {
		var i int
		err := e.Decode(&i)
		if err == nil && i%4 == 1 {
			var b []byte
			if err = e.Args.Decode(1, &b); err == nil && !bytes.Equal(b, []byte{byte(i), 255}) {
				err = fmt.Errorf("event %d: bytes %v", i, b)
			}
		}
		var s string
		mu.Lock()
		defer mu.Unlock()
		if err == nil && i%4 != 1 {
			if err = e.Decode(&i, &s); err == nil && s != burstText(round, i) {
				err = fmt.Errorf("burst %d event %d: %d bytes %.20q", round, i, len(s), s)
			}
		}
		if err != nil && bad == nil {
			bad = err
		}
		got = append(got, i)
		if i%4 != 1 && keep {
			kept = append(kept, e)
			keptS = append(keptS, s)
		}
		if !armed {
			armed = true
			entries++
			if _, err := qm.Invoke(disarm.Value()); err != nil && bad == nil {
				bad = err
			}
		}
		if i == burstN-1 {
			done <- struct{}{}
		}
	})
	if err := wait(ctx, connected); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	fmt.Println("connected", sock.ID())
	for r, closeAfter := range []bool{false, true} {
		mu.Lock()
		got, entries, round = nil, 0, r
		mu.Unlock()
		if err := sock.Emit("burst", closeAfter); err != nil {
			return err
		}
		if err := wait(ctx, done); err != nil {
			return fmt.Errorf("burst %d: %w (events %v)", r, err, got)
		}
		mu.Lock()
		g, n, b := got, entries, bad
		keep = false
		mu.Unlock()
		fmt.Println("burst", r, "events", len(g), "in", n, "entries")
		if b != nil {
			return fmt.Errorf("burst %d: %w", r, b)
		}
		for i, v := range g {
			if i != v || len(g) != burstN {
				return fmt.Errorf("burst %d: events %v, want 0..%d in order", r, g, burstN-1)
			}
		}
		if batched && n > burstN/4 {
			return fmt.Errorf("burst %d: %d events in %d JavaScript entries: not batched", r, burstN, n)
		}
		if !batched && n != burstN {
			return fmt.Errorf("burst %d: %d events in %d JavaScript entries, want one each", r, burstN, n)
		}
	}
	select {
	case reason := <-disconnected:
		if reason != "transport close" {
			return errors.New("disconnect reason " + reason + ", want transport close")
		}
	case <-ctx.Done():
		return errors.New("no disconnect after the second burst")
	}
	// An event keeps its arguments after its handler: the frames that
	// came later (in buffers the client reuses) must not have changed them.
	mu.Lock()
	defer mu.Unlock()
	for k, s := range keptS {
		if s != burstText(0, len(s)%(16<<10)) { // its length gives i
			return fmt.Errorf("first burst's text event %d: the string its handler decoded is now %d bytes %.20q", k, len(s), s)
		}
	}
	for _, e := range kept {
		var (
			i int
			s string
		)
		if err := e.Decode(&i, &s); err != nil || s != burstText(0, i) {
			return fmt.Errorf("first burst's event %d after the second: %d bytes %.20q, %v", i, len(s), s, err)
		}
	}
	return nil
}
