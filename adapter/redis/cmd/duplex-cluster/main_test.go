//go:build !js

package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

type said struct{ Node, Text string }

// TestCluster starts the whole cluster (redis-server, 2 nodes, nginx): the
// page is served through nginx, and what a client of node1 says reaches a
// client of node2 and one that came through nginx.
func TestCluster(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	readyc := make(chan []string, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		done <- run(ctx, config{listen: front, host: "127.0.0.1", nodes: 2, wasm: t.TempDir()}, log,
			func(nodes []string, _ string) { readyc <- nodes })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var nodes []string
	select {
	case nodes = <-readyc:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the cluster did not start")
	}
	res, err := http.Get("http://" + front + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "duplex cluster chat") {
		t.Fatalf("page through nginx: %d %q", res.StatusCode, body)
	}
	var got []chan said
	var socks []*client.Socket
	for _, addr := range []string{nodes[0], nodes[1], front} {
		s := client.Connect("http://"+addr, &client.Options{Logger: log})
		defer s.Manager().Close()
		c := make(chan said, 4)
		client.On(s, "said", func(_ *client.Event, m said) { c <- m })
		got = append(got, c)
		socks = append(socks, s)
	}
	// Wait for the three to be connected.
	deadline := time.Now().Add(10 * time.Second)
	for _, s := range socks {
		for !s.Connected() {
			if time.Now().After(deadline) {
				t.Fatal("clients not connected")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(100 * time.Millisecond) // the OnConnection handlers ran
	socks[0].Emit("say", "hi from node1")
	for i, c := range got {
		select {
		case m := <-c:
			if m.Node != "node1" || m.Text != "hi from node1" {
				t.Errorf("client %d got %+v", i, m)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("client %d got nothing", i)
		}
	}
}
