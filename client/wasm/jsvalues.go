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
	event      safejs.Value // "event", the sink's first argument for events
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
	return v, nil
}
