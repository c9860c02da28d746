package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/duplexio/duplex/server"
)

// Greeting is what the server emits as "hello-server" to each new socket.
type Greeting struct {
	Message string `json:"message"`
}

// hello is the seed's exchange: greet each new socket and print each
// "hello-message" it sends (one line per message on out).
func hello(srv *server.Server, out io.Writer) {
	var mu sync.Mutex // lines of concurrent sockets must not interleave
	srv.OnConnection(func(s *server.Socket) {
		s.Emit("hello-server", Greeting{Message: "hello clients"})
		s.On("hello-message", func(e *server.Event) {
			var data any
			if err := e.Decode(&data); err != nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if str, ok := data.(string); ok {
				fmt.Fprintln(out, str)
			} else {
				fmt.Fprintln(out, string(e.Args.Raw(0)))
			}
		})
	})
}
