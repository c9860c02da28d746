// Command duplex-cluster starts a local Socket.IO cluster to try the Redis
// adapter: a redis-server (Debian's), duplex nodes on the classic Redis
// adapter, and nginx in front of them (sticky on the client's address), with
// a chat page at / whose messages reach the clients of every node.
//
//	go run ./cmd/duplex-cluster -wasm ../../build/wasm   (from adapter/redis, after make wasm)
//
// Then open http://127.0.0.1:3000/ in two browsers (or
// http://127.0.0.1:3001/ and :3002/, the nodes themselves). It stops
// everything on SIGINT or SIGTERM.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/duplexio/duplex/adapter/redis"
	"github.com/duplexio/duplex/adapter/redis/internal/nginxtest"
	"github.com/duplexio/duplex/client/dist"
	"github.com/duplexio/duplex/server"
)

//go:embed page.html
var page []byte

// config is what the flags set.
type config struct {
	listen   string // nginx; "" for none
	host     string // the nodes' host
	basePort int    // node i listens on basePort+i
	nodes    int
	redis    string // "" starts a redis-server
	wasm     string
}

func main() {
	var c config
	flag.StringVar(&c.listen, "listen", "127.0.0.1:3000", `address of nginx in front of the nodes ("" for no nginx)`)
	flag.StringVar(&c.host, "host", "127.0.0.1", "host the nodes listen on")
	flag.IntVar(&c.basePort, "base-port", 3001, "node i (from 0) listens on base-port+i (0: any free port)")
	flag.IntVar(&c.nodes, "nodes", 2, "number of duplex nodes")
	flag.StringVar(&c.redis, "redis", "", "address of a running Redis (default: start a redis-server)")
	flag.StringVar(&c.wasm, "wasm", "build/wasm", "directory of client.wasm and wasm_exec.js (make wasm)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, log, nil); err != nil {
		log.Error("duplex-cluster", "err", err)
		os.Exit(1)
	}
}

// run starts the cluster, calls ready (if not nil) with the nodes' and
// nginx's addresses, and stops everything when ctx ends.
func run(ctx context.Context, c config, log *slog.Logger, ready func(nodes []string, front string)) (err error) {
	var stops []func()
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}()
	if c.redis == "" {
		addr, stop, err := startRedis(log)
		if err != nil {
			return err
		}
		stops = append(stops, stop)
		c.redis = addr
	}
	rc, err := redis.NewClient(redis.ClientOptions{Addrs: []string{c.redis}, Logger: log})
	if err != nil {
		return err
	}
	stops = append(stops, rc.Close)
	client := dist.Handler(os.DirFS(c.wasm), &dist.Options{Logger: log})
	var addrs []string
	errc := make(chan error, c.nodes)
	for i := range c.nodes {
		name := "node" + strconv.Itoa(i+1)
		srv := server.New(&server.Options{
			ServeClient: client,
			Adapter:     redis.NewClassic(rc, &redis.ClassicOptions{Logger: log.With("node", name)}).Adapter,
			Logger:      log.With("node", name),
		})
		chat(srv, name)
		mux := http.NewServeMux()
		mux.Handle("/socket.io/", srv)
		mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(page)
		})
		port := 0 // any free port when basePort is 0
		if c.basePort > 0 {
			port = c.basePort + i
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(c.host, strconv.Itoa(port)))
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- hs.Serve(ln) }()
		stops = append(stops, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Close(sctx)
			_ = hs.Shutdown(sctx)
		})
		addrs = append(addrs, ln.Addr().String())
		fmt.Fprintf(os.Stderr, "duplex-cluster: %s on http://%s/ (Redis %s)\n", name, ln.Addr(), c.redis)
	}
	front := ""
	if c.listen != "" {
		stop, err := startNginx(c.listen, addrs)
		if err != nil {
			return err
		}
		stops = append(stops, stop)
		front = c.listen
		fmt.Fprintf(os.Stderr, "duplex-cluster: nginx on http://%s/\n", c.listen)
	}
	if ready != nil {
		ready(addrs, front)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// chat: a client is welcomed with its node's name; what it says is
// broadcast to every client of the cluster.
func chat(srv *server.Server, node string) {
	srv.OnConnection(func(s *server.Socket) {
		_ = s.Emit("welcome", map[string]string{"node": node})
		s.On("say", func(e *server.Event) {
			var text string
			if e.Decode(&text) != nil || text == "" || len(text) > 500 {
				return
			}
			_ = srv.Emit("said", map[string]string{"node": node, "text": text})
		})
	})
}

// startRedis starts Debian's redis-server on a free port, without
// persistence.
func startRedis(log *slog.Logger) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start redis-server (apt-get install redis-server): %w", err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if i > 100 {
			stop()
			return "", nil, fmt.Errorf("redis-server does not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	log.Info("redis-server started", "addr", addr)
	return addr, stop, nil
}

// startNginx runs nginx in front of the nodes (configuration of
// internal/nginxtest: hash $remote_addr consistent, websockets proxied).
func startNginx(listen string, upstreams []string) (func(), error) {
	dir, err := os.MkdirTemp("", "duplex-cluster-nginx")
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxtest.Config(listen, upstreams, dir)), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("nginx", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx (apt-get install nginx): %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = os.RemoveAll(dir)
	}
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", listen, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return stop, nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("nginx exited: %s", log)
		default:
		}
		if i > 200 {
			stop()
			return nil, errors.New("nginx does not listen on " + listen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
