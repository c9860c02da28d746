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

	"github.com/duplexio/duplex/bench/loadgen"
)

// startPolling serves the polling floor on a loopback port until the test
// ends.
func startPolling(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: newPollServer(slog.New(slog.DiscardHandler)), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		if err := hs.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		<-served
	})
	return ln.Addr().String()
}

// TestPollingLoadgen drives the polling floor with the load generator's
// polling clients: CONNECT, closed-loop echo with acks carrying the
// arguments, a broadcast that reaches every client with the right sizes.
func TestPollingLoadgen(t *testing.T) {
	addr := startPolling(t)
	d := loadgen.NewDialer(addr, &loadgen.DialOptions{Polling: true})
	defer d.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	conns, err := loadgen.Connect(ctx, d, 10, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer loadgen.CloseAll(conns)
	res, err := loadgen.Echo(ctx, conns, 10*time.Second, 20, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.RoundTrips != 10*20 || res.Mismatched != 0 {
		t.Fatalf("echo: %d round trips (%d mismatched), want %d", res.RoundTrips, res.Mismatched, 10*20)
	}
	br, err := loadgen.RunBroadcast(ctx, conns[0], conns, nil, loadgen.Broadcast{Count: 30, Size: 128}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if br.Delivered != br.Expected || br.BadSize != 0 || !br.Acked {
		t.Fatalf("broadcast: %+v", br)
	}
	if err := loadgen.Failed(conns); err != nil {
		t.Fatal(err)
	}
}

// TestPollingBadInput: what the polling floor does not implement is answered
// 400, and a bad packet ends the session.
func TestPollingBadInput(t *testing.T) {
	addr := startPolling(t)
	base := "http://" + addr + "/socket.io/?EIO=4&transport=polling"
	do := func(method, url, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, string(b)
	}
	defer http.DefaultClient.CloseIdleConnections()
	if code, _ := do("GET", "http://"+addr+"/socket.io/?EIO=3&transport=polling", ""); code != 400 {
		t.Fatalf("EIO=3: status %d", code)
	}
	if code, _ := do("POST", base, "40"); code != 400 {
		t.Fatalf("POST handshake: status %d", code)
	}
	if code, _ := do("GET", base+"&sid=nope", ""); code != 400 {
		t.Fatalf("unknown sid: status %d", code)
	}
	code, open := do("GET", base, "")
	if code != 200 || !strings.HasPrefix(open, `0{"sid":"`) {
		t.Fatalf("handshake: %d %q", code, open)
	}
	sid := open[len(`0{"sid":"`) : len(`0{"sid":"`)+sidLen]
	url := base + "&sid=" + sid
	if code, body := do("POST", url, "40\x1e421[\"echo\",1]"); code != 200 || body != "ok" {
		t.Fatalf("POST: %d %q", code, body)
	}
	if code, body := do("GET", url, ""); code != 200 || !strings.HasPrefix(body, `40{"sid":"`) || !strings.HasSuffix(body, "\x1e431[1]") {
		t.Fatalf("GET: %d %q", code, body)
	}
	for _, bad := range []string{"", "5", "4", "42[\"other\"]", "42[\"bcast\",{\"room\":\"r\"}]", "42[\"bcast\",{\"count\":-1}]", "42[\"echo\""} {
		_, open := do("GET", base, "")
		sid := open[len(`0{"sid":"`) : len(`0{"sid":"`)+sidLen]
		if code, _ := do("POST", base+"&sid="+sid, bad); code != 400 {
			t.Fatalf("POST %q: status %d", bad, code)
		}
		if code, _ := do("GET", base+"&sid="+sid, ""); code != 400 {
			t.Fatalf("POST %q did not end the session: GET status %d", bad, code)
		}
	}
}
