//go:build !js

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// redisServer is the redis-server the cluster scenarios share: started on a
// free loopback port, stopped at the end of the group.
type redisServer struct {
	addr string
	pid  int
	proc *serverProc
}

// startRedis starts redis-server (pinned to core when core >= 0) with no
// persistence on a free port of 127.0.0.1 and waits until it answers PING.
func startRedis(ctx context.Context, core int) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("the cluster scenarios need redis-server (make deps): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	argv := []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"}
	p, err := startProc(ctx, "redis-server", "", core, argv)
	if err != nil {
		return nil, err
	}
	r := &redisServer{addr: fmt.Sprintf("127.0.0.1:%d", port), pid: p.pid, proc: p}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := r.do(ctx, "PING")
		if err == nil {
			return r, nil
		}
		if aerr := p.alive(); aerr != nil || time.Now().After(deadline) || ctx.Err() != nil {
			p.stop()
			return nil, errors.Join(fmt.Errorf("redis-server on %s not ready: %w", r.addr, err), aerr, ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *redisServer) stop() { r.proc.stop() }

// do sends one command on a connection of its own and returns its reply (a
// status, integer or bulk string).
func (r *redisServer) do(ctx context.Context, args ...string) (string, error) {
	var d net.Dialer
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return readReply(bufio.NewReader(c))
}

// errRedisReply is an error reply of Redis.
var errRedisReply = errors.New("redis error reply")

// readReply reads one RESP2 reply that is not an array.
func readReply(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("redis: empty reply line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("%w: %s", errRedisReply, line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < -1 || n > 64<<20 {
			return "", fmt.Errorf("redis: bad bulk length %q", line)
		}
		if n == -1 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return "", err
		}
		if string(buf[n:]) != "\r\n" {
			return "", fmt.Errorf("redis: bulk string not ended by CRLF")
		}
		return string(buf[:n]), nil
	default:
		return "", fmt.Errorf("redis: unexpected reply %q", line)
	}
}

// redisMessageCommands are the commands that put a message into Redis in
// one of the modes: PUBLISH (classic), SPUBLISH (sharded), XADD (streams).
var redisMessageCommands = []string{"publish", "spublish", "xadd"}

// parseCommandCalls sums the "calls" of the given commands in the text of
// INFO commandstats (lines "cmdstat_<name>:calls=N,usec=...").
func parseCommandCalls(info string, cmds []string) (int64, error) {
	var total int64
	for line := range strings.Lines(info) {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		cmd, isStat := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isStat {
			continue
		}
		found := false
		for _, c := range cmds {
			found = found || strings.EqualFold(cmd, c)
		}
		if !found {
			continue
		}
		calls := ""
		for f := range strings.SplitSeq(rest, ",") {
			if v, ok := strings.CutPrefix(f, "calls="); ok {
				calls = v
			}
		}
		n, err := strconv.ParseInt(calls, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("redis: bad commandstats line %q", line)
		}
		total += n
	}
	return total, nil
}

// messages returns the messages put into Redis so far (PUBLISH, SPUBLISH
// and XADD calls).
func (r *redisServer) messages(ctx context.Context) (int64, error) {
	info, err := r.do(ctx, "INFO", "commandstats")
	if err != nil {
		return 0, err
	}
	return parseCommandCalls(info, redisMessageCommands)
}
