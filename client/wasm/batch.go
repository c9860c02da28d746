//go:build js && wasm

package main

import (
	"strconv"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/wasm/internal/jsontext"
)

// batch collects received events without attachments and hands them to
// JavaScript together: one sink call, one TextDecoder.decode and one
// JSON.parse per run of events of a socket, instead of one each per event.
// A run is handed over in a microtask (after the JS callback that received
// the frames, and the calls into Go it made, have returned), and before
// anything else is reported to JavaScript (sink and ack callbacks call
// flush first), so that the page sees everything in the order Go handled
// it.
type batch struct {
	js *jsValues

	mu        sync.Mutex
	sk        *socket // whose run text is
	text      []byte  // "[[ackID,name,args...],..." without the closing ']'
	n         int     // events in text
	scheduled bool    // a microtask will flush

	deliver   sync.Mutex // held while a run is handed over: runs go one at a time
	jsText    textBuffer // the Uint8Array runs are copied into (under deliver)
	microtask safejs.Value
	flushFn   safejs.Value
}

// maxRun is the text size beyond which a run is handed over at once.
const maxRun = 256 << 10

func newBatch(js *jsValues, funcOf func(func([]safejs.Value) any) (safejs.Value, error)) (*batch, error) {
	b := &batch{js: js}
	mt, err := safejs.Global().Get("queueMicrotask")
	if err == nil && mt.Type() == safejs.TypeFunction {
		b.microtask = mt
		if b.flushFn, err = funcOf(func([]safejs.Value) any {
			b.flush()
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// add appends event e of sk (ack id, or -1) to the run, handing over the
// run of another socket first.
func (b *batch) add(sk *socket, id int, e *client.Event) {
	b.mu.Lock()
	if b.sk != nil && b.sk != sk {
		b.mu.Unlock()
		b.flush()
		b.mu.Lock()
	}
	if b.n == 0 {
		b.text = append(b.text[:0], '[')
	} else {
		b.text = append(b.text, ',')
	}
	b.sk = sk
	b.n++
	b.text = append(b.text, '[')
	b.text = strconv.AppendInt(b.text, int64(id), 10)
	b.text = append(b.text, ',')
	b.text = jsontext.AppendString(b.text, e.Name)
	for _, r := range e.Args.All() {
		b.text = append(b.text, ',')
		b.text = append(b.text, r...)
	}
	b.text = append(b.text, ']')
	full := len(b.text) >= maxRun
	schedule := !b.scheduled && !full && b.microtask.Type() == safejs.TypeFunction
	if schedule {
		b.scheduled = true
	}
	b.mu.Unlock()
	switch {
	case full || b.microtask.Type() != safejs.TypeFunction:
		b.flush()
	case schedule:
		if _, err := b.microtask.Invoke(b.flushFn); err != nil {
			b.flush()
		}
	}
}

// flush hands the pending run over to its socket's sink.
func (b *batch) flush() {
	b.deliver.Lock()
	defer b.deliver.Unlock()
	b.mu.Lock()
	b.scheduled = false
	sk, n := b.sk, b.n
	if n == 0 {
		b.mu.Unlock()
		return
	}
	b.text = append(b.text, ']')
	u8, err := b.jsText.copy(b.js, b.text)
	size := len(b.text)
	b.sk, b.n = nil, 0
	if cap(b.text) > 2*maxRun {
		b.text = nil // keep no larger buffer between runs
	}
	b.mu.Unlock()
	if err != nil {
		sk.b.log.Error("duplex: passing events to JavaScript", "events", n, "err", err)
		return
	}
	sk.call(b.js.events, u8, size)
}
