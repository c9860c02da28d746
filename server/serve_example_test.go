//go:build !js

package server_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/duplexio/duplex/server"
)

// Serve answers the long-polling requests of connected clients without
// net/http, and hands everything else to an http.Server it runs.
func ExampleServer_Serve() {
	io := server.New(nil)
	io.OnConnection(func(s *server.Socket) {
		s.On("ping", func(e *server.Event) { _ = e.Ack("pong") })
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io) // handshakes and websockets still go this way
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- io.Serve(context.Background(), ln, server.ServeOptions{Path: "/socket.io/", HTTP: hs}) }()

	res, err := http.Get("http://" + ln.Addr().String() + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println("handshake:", res.Status)

	// Graceful stop: the Server first (pending GETs get their close
	// packet), then the http.Server, which ends Serve.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = io.Close(ctx)
	_ = hs.Shutdown(ctx)
	fmt.Println("Serve:", errors.Is(<-done, http.ErrServerClosed))
	// Output:
	// handshake: 200 OK
	// Serve: true
}
