//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"
)

// jsValues are the JavaScript values the backend passes on every event,
// made once: each JS value Go obtains (a string included) is a reference
// with a finalizer, and setting one is not cheap (runtime.addspecial showed
// 10 % of the page's time while it received small events).
type jsValues struct {
	uint8Array safejs.Value // the Uint8Array constructor
	array      safejs.Value // the Array constructor
	event      safejs.Value // "event", the sink's first argument for an event
	events     safejs.Value // "events", the sink's first argument for a run of events (batch.go)
}

func newJSValues() (*jsValues, error) {
	v := &jsValues{}
	var err error
	if v.uint8Array, err = safejs.Global().Get("Uint8Array"); err != nil {
		return nil, err
	}
	if v.array, err = safejs.Global().Get("Array"); err != nil {
		return nil, err
	}
	if v.event, err = safejs.ValueOf("event"); err != nil {
		return nil, err
	}
	if v.events, err = safejs.ValueOf("events"); err != nil {
		return nil, err
	}
	return v, nil
}

// textBuffer is a Uint8Array that an event's JSON text is copied into, read
// by the loader with a TextDecoder before any listener runs: copying bytes
// into an existing array makes no JS value, where passing a Go string makes
// one (with its finalizer) per event.
type textBuffer struct {
	u8  safejs.Value
	cap int
}

// textBufferMax is the largest buffer kept between events.
const textBufferMax = 64 << 10

// copy copies b into the buffer (a new one when it is too small) and
// returns the buffer.
func (t *textBuffer) copy(v *jsValues, b []byte) (safejs.Value, error) {
	if len(b) > t.cap || (t.cap > textBufferMax && len(b) <= textBufferMax) {
		n := max(len(b), 4<<10)
		u8, err := v.uint8Array.New(n)
		if err != nil {
			return safejs.Value{}, err
		}
		t.u8, t.cap = u8, n
	}
	if _, err := safejs.CopyBytesToJS(t.u8, b); err != nil {
		return safejs.Value{}, err
	}
	return t.u8, nil
}
