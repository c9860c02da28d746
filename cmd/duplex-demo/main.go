// Command duplex-demo is the demo server of `make run`: it serves the pages of
// www/ at /, the Socket.IO server at /socket.io/ (with the browser client of
// build/wasm), the seed's hello exchange on the main namespace and the chat
// of www/chat/ on the /chat namespace.
//
//	duplex-demo -addr :3000 -www www -wasm build/wasm
//
// It prints the data of each "hello-message" to standard output and stops
// gracefully on SIGINT or SIGTERM, closing every connection within 5 s.
// Only what a page loads is served from -www (HTML, CSS, JavaScript,
// images; no directory listings, no Go sources).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/duplexio/duplex/client/dist"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

func main() {
	addr := flag.String("addr", ":3000", "address to listen on (make run ADDR=:8080)")
	www := flag.String("www", "www", "directory of the pages served at /")
	wasm := flag.String("wasm", "build/wasm", "directory of client.wasm, chat.wasm and wasm_exec.js (make wasm)")
	var ops opsOptions
	flag.StringVar(&ops.adminUI, "admin-ui", "interop/admin/node_modules/@socket.io/admin-ui/ui/dist", "directory of the Admin UI's files, served at /admin/")
	flag.StringVar(&ops.adminUser, "admin-user", "admin", "the Admin UI's username")
	flag.StringVar(&ops.adminPassword, "admin-password", "admin", "the Admin UI's password (demo default: change it)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("duplex-demo", "err", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "duplex-demo: listening on http://%s/ (chat: /chat/)\n", displayAddr(ln.Addr()))
	cfg := config{WWW: *www, Wasm: *wasm, Ops: ops, Log: log, Out: os.Stdout}
	if err := run(ctx, ln, cfg); err != nil {
		log.Error("duplex-demo", "err", err)
		os.Exit(1)
	}
}

// config is what run serves.
type config struct {
	WWW      string       // directory of the pages
	Wasm     string       // directory of the wasm builds
	Log      *slog.Logger // nil: slog.Default()
	Out      io.Writer    // where hello-message lines go; nil: discarded
	Timeouts Timeouts     // zero fields: defaultTimeouts
	Ops      opsOptions   // the Admin UI and /metrics (zero: no Admin UI)
}

// run serves on ln until ctx is done, then shuts down within the shutdown
// budget (see shutdown). It closes ln.
func run(ctx context.Context, ln net.Listener, cfg config) error {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	timeouts := cfg.Timeouts.withDefaults()
	if _, err := os.Stat(filepath.Join(cfg.Wasm, "client.wasm")); err != nil {
		log.Warn("the browser client is not built: run `make wasm` (or `make run`)", "err", err)
	}
	client := dist.Handler(os.DirFS(cfg.Wasm), &dist.Options{Logger: log})
	srv := server.New(&server.Options{
		ServeClient: client,
		// The seed page says io.connect('http://localhost:3000'): let pages
		// opened as 127.0.0.1 or [::1] (or on another local port) in.
		Engine:                  engine.Options{CORS: &engine.CORS{AllowOrigin: isLocalOrigin}},
		Logger:                  log,
		ConnectionStateRecovery: &server.RecoveryOptions{},
	})
	hello(srv, out)
	newChat(srv.Of("/chat"), log)

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	mux.Handle("/wasm/", client) // the Go pages' own binaries (chat.wasm) and wasm_exec.js
	mux.Handle("/", pages(os.DirFS(cfg.WWW), log))
	stopOps, err := operations(mux, srv, cfg.Ops, log)
	if err != nil {
		return err
	}
	defer stopOps()

	hs := newHTTPServer(mux, timeouts)
	conns := trackConns(ln)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(conns) }()

	select {
	case err := <-errc:
		ctx, cancel := context.WithTimeout(context.Background(), timeouts.Shutdown)
		defer cancel()
		return errors.Join(err, srv.Close(ctx))
	case <-ctx.Done():
	}
	log.Info("shutting down", "budget", timeouts.Shutdown)
	err = shutdown(srv, hs, conns, timeouts.Shutdown, log)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// isLocalOrigin allows pages served from this machine.
func isLocalOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", ta.Port)
	}
	return a.String()
}
