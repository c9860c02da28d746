// Command duplex-demo is the demo server of `make run`: it serves the pages of
// www/ at /, the Socket.IO server at /socket.io/ (with the browser client of
// build/wasm), the seed's hello exchange on the main namespace and the chat
// of www/chat/ on the /chat namespace.
//
//	duplex-demo -addr :3000 -www www -wasm build/wasm
//
// It prints the data of each "hello-message" to standard output and stops
// gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/duplexio/duplex/client/dist"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

func main() {
	addr := flag.String("addr", ":3000", "address to listen on")
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
	if err := run(ctx, *addr, *www, *wasm, ops, log); err != nil {
		log.Error("duplex-demo", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, addr, www, wasm string, ops opsOptions, log *slog.Logger) error {
	if _, err := os.Stat(wasm + "/client.wasm"); err != nil {
		log.Warn("the browser client is not built: run `make wasm` (or `make run`)", "err", err)
	}
	client := dist.Handler(os.DirFS(wasm), &dist.Options{Logger: log})
	srv := server.New(&server.Options{
		ServeClient: client,
		// The seed page says io.connect('http://localhost:3000'): let pages
		// opened as 127.0.0.1 or [::1] (or on another local port) in.
		CORS:                    &engine.CORS{AllowOrigin: isLocalOrigin},
		Logger:                  log,
		ConnectionStateRecovery: &server.RecoveryOptions{},
	})
	hello(srv, os.Stdout)
	newChat(srv.Of("/chat"), log)

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	mux.Handle("/wasm/", client) // the Go pages' own binaries (chat.wasm) and wasm_exec.js
	mux.Handle("/", http.FileServer(http.Dir(www)))
	stopOps, err := operations(mux, srv, ops, log)
	if err != nil {
		return err
	}
	defer stopOps()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(os.Stderr, "duplex-demo: listening on http://%s/ (chat: /chat/)\n", displayAddr(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(srv.Close(sctx), hs.Shutdown(sctx))
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
