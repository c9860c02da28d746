//go:build js && wasm

// Command chat is the demo chat page of www/chat, written in Go and built to
// chat.wasm (`make wasm`): rooms, nicknames and a typing indicator over the
// /chat namespace of the demo server (cmd/duplex-demo), with the duplex
// client and the event types of package chatmsg shared with the server.
package main

import (
	"log/slog"
	"os"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/www/chat/chatmsg"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := newDOM()
	if err != nil {
		log.Error("chat: no document", "err", err)
		return
	}
	loc, err := safejs.Global().Get("location")
	if err != nil {
		log.Error("chat: no location", "err", err)
		return
	}
	origin := str(loc, "origin")
	sock := client.Connect(origin+chatmsg.Namespace, &client.Options{Logger: log})
	ui, err := newPage(d, sock, log)
	if err != nil {
		log.Error("chat: the page is missing elements", "err", err)
		return
	}
	ui.wire()
	select {} // the page lives as long as the tab
}
