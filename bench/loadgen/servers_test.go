//go:build !js

package loadgen

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/bench/benchserver"
	"github.com/duplexio/duplex/internal/nodetest"
)

// startDuplex serves the benchmark contract from this process on 127.0.0.1
// and returns its address; the server stops when the test ends.
func startDuplex(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := benchserver.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	hs := &http.Server{Handler: mux}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := errors.Join(srv.Close(ctx), hs.Shutdown(ctx)); err != nil {
			tb.Errorf("stop duplex server: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// startNode starts the Node socket.io server of the benchmark contract
// (bench/node/server.js) and returns its address; it is killed when the test
// ends. It fails loudly without node or the pinned npm packages.
func startNode(tb testing.TB) string {
	tb.Helper()
	p := nodetest.Start(tb, "../bench/node/server.js", nil, "0")
	line := p.Expect(tb, "listening ", 15*time.Second)
	return "127.0.0.1:" + strings.TrimPrefix(line, "listening ")
}
