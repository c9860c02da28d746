// Package nginxtest runs Debian's nginx in front of socket.io nodes for a
// test (sticky on the client's address, websockets proxied), and writes that
// configuration for the cluster demo. It fails the test loudly when nginx is
// not installed.
package nginxtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config returns an nginx configuration that listens on listen and proxies
// to upstreams, sticky on the client's address (hash $remote_addr
// consistent: ip_hash would send every 127.0.0.x to one node, as it hashes
// only the first three bytes of an IPv4 address), websockets included. dir
// holds the pid, the logs and the temporary files; the process stays in the
// foreground (daemon off).
func Config(listen string, upstreams []string, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream socketio {
    hash $remote_addr consistent;
`, dir)
	for _, u := range upstreams {
		fmt.Fprintf(&b, "    server %s;\n", u)
	}
	fmt.Fprintf(&b, `  }
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }
  server {
    listen %s;
    location / {
      proxy_pass http://socketio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
      proxy_buffering off;
    }
  }
}
`, listen)
	return b.String()
}

// Server is a running nginx owned by one test.
type Server struct {
	Addr string // host:port it listens on
	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

// Start runs nginx on a free loopback port in front of upstreams and stops
// it when the test ends.
func Start(tb testing.TB, upstreams []string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			tb.Fatalf("nginxtest: nginx is not installed (%v); run `make deps` (apt-get install nginx)", err)
		}
		bin = "/usr/sbin/nginx"
	}
	dir := tb.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(Config(addr, upstreams, dir)), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("nginxtest: start nginx: %v", err)
	}
	s := &Server{Addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	tb.Cleanup(s.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			tb.Fatalf("nginxtest: nginx exited: %s\n%s", out.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("nginxtest: nginx does not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops nginx (SIGQUIT to the master, SIGKILL if it lingers).
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}
