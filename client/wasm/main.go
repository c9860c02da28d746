//go:build js && wasm

package main

import (
	"os"

	"github.com/duplexio/duplex/client/internal/clog"
	"github.com/hack-pad/safejs"
)

func main() {
	// Warnings and errors go to the console, in slog's text format without
	// log/slog itself (its handlers would add ~250 KB to the binary).
	log := clog.New(os.Stderr, clog.LevelWarn)
	b, err := newBackend(log)
	if err != nil {
		log.Error("duplex: creating the backend", "err", err)
		return
	}
	obj, err := b.jsObject()
	if err != nil {
		log.Error("duplex: creating the backend", "err", err)
		return
	}
	ready, err := loaderReady()
	if err != nil {
		log.Error("duplex: the page has no io loader: load /socket.io/socket.io.js, which loads this program", "err", err)
		return
	}
	if _, err := ready.Invoke(obj); err != nil {
		log.Error("duplex: io.duplex.ready failed", "err", err)
		return
	}
	b.run() // the backend's worker runs for the life of the page
}

// loaderReady returns io.duplex.ready, defined by the loader.
func loaderReady() (safejs.Value, error) {
	io, err := safejs.Global().Get("io")
	if err != nil {
		return safejs.Value{}, err
	}
	d, err := io.Get("duplex")
	if err != nil {
		return safejs.Value{}, err
	}
	return d.Get("ready")
}
