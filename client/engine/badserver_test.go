//go:build !js

package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

var quiet = slog.New(slog.DiscardHandler)

// TestBadServers: whatever a server answers, Dial returns an error or the
// session ends with a reason; never a panic or a hang.
func TestBadServers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"status 400", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"code":5,"message":"Unsupported protocol version"}`, 400)
		}},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}},
		{"not open", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "4hi") }},
		{"bad handshake json", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `0{"sid":`) }},
		{"no sid", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `0{"pingInterval":1}`) }},
		{"no ping interval", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `0{"sid":"s"}`) }},
		{"too big", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "0"+strings.Repeat("x", 2000)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			defer ts.Close()
			c, err := Dial(context.Background(), ts.URL, &Options{ReadLimit: 1000, Logger: quiet})
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			if !errors.Is(err, ErrHandshake) {
				t.Fatalf("error %v does not wrap ErrHandshake", err)
			}
		})
	}
}

// TestBadServerAfterHandshake: a session whose later polls fail or carry
// garbage ends with the right reason.
func TestBadServerAfterHandshake(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		poll         http.HandlerFunc
	}{
		{"poll 400", ReasonTransportError, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "", 400) }},
		{"poll garbage", ReasonParseError, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }},
		{"server close", ReasonTransportClose, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "6\x1e1") }},
		{"open again", ReasonParseError, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `0{"sid":"s"}`) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == "POST" {
					io.WriteString(w, "ok")
					return
				}
				if n.Add(1) == 1 {
					io.WriteString(w, `0{"sid":"s","upgrades":[],"pingInterval":10000,"pingTimeout":10000,"maxPayload":1000}`)
					return
				}
				tc.poll(w, r)
			}))
			defer ts.Close()
			c, err := Dial(context.Background(), ts.URL, &Options{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if r := closeReason(t, c); r != tc.reason {
				t.Fatalf("reason %q want %q (%v)", r, tc.reason, c.Err())
			}
		})
	}
}

// TestHeaderAndQuery: headers and query reach the server natively.
func TestHeaderAndQuery(t *testing.T) {
	got := make(chan *http.Request, 4)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r:
		default:
		}
		http.Error(w, "", 400)
	}))
	defer ts.Close()
	_, err := Dial(context.Background(), ts.URL, &Options{Header: map[string][]string{"X-Token": {"abc"}}, Query: map[string][]string{"room": {"r"}}, Path: "/custom", Logger: quiet})
	if err == nil {
		t.Fatal("Dial succeeded")
	}
	r := <-got
	if r.Header.Get("X-Token") != "abc" || r.URL.Path != "/custom/" || r.URL.Query().Get("room") != "r" || r.URL.Query().Get("EIO") != "4" {
		t.Fatalf("request %s %v", r.URL, r.Header)
	}
}

// TestPollNotResent: a long-poll GET whose reused connection dies before any
// byte of the answer arrives fails the session (the server may have sent
// packets that are now lost); it is not re-sent behind the session's back, as
// net/http does for idempotent requests.
func TestPollNotResent(t *testing.T) {
	var gets atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			io.WriteString(w, "ok")
			return
		}
		if b, err := io.ReadAll(r.Body); err != nil || len(b) != 0 {
			t.Errorf("GET with a body: %q %v", b, err)
		}
		switch gets.Add(1) {
		case 1:
			io.WriteString(w, `0{"sid":"s","upgrades":[],"pingInterval":10000,"pingTimeout":10000,"maxPayload":1000}`)
		case 2: // the first poll, on the handshake's connection: cut it
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
		default: // a re-sent poll: hold it as a long poll would
			<-r.Context().Done()
		}
	}))
	defer ts.Close()
	defer ts.CloseClientConnections()
	c, err := Dial(context.Background(), ts.URL, &Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if r := closeReason(t, c); r != ReasonTransportError {
		t.Fatalf("reason %q want %q (%v)", r, ReasonTransportError, c.Err())
	}
	if n := gets.Load(); n != 2 {
		t.Fatalf("%d GETs, want 2 (handshake, the poll that was cut)", n)
	}
}
