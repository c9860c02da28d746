//go:build js && wasm

// Command gopage is the e2e tests' Go-authored browser page (built to
// gopage.wasm by the e2e harness): the shared scenario written with package
// client in Go instead of JavaScript. It logs each step and ends with
// window.__result = "pass" or "fail: <why>".
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
)

// Welcome is the server's first event.
type Welcome struct {
	ID        string `json:"id"`
	Recovered bool   `json:"recovered"`
}

// Echoed is the JSON payload sent and received back.
type Echoed struct {
	A int    `json:"a"`
	B string `json:"b"`
	C []bool `json:"c"`
}

func main() {
	err := run()
	result := "pass"
	if err != nil {
		result = "fail: " + err.Error()
		fmt.Println("FAIL", err)
	} else {
		fmt.Println("PASS")
	}
	_ = safejs.Global().Set("__result", result)
}

func run() error {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return err
	}
	origin, _ := mustString(loc, "origin")
	search, _ := mustString(loc, "search")
	q, _ := url.ParseQuery(strings.TrimPrefix(search, "?"))
	opts := &client.Options{}
	if tr := q.Get("transports"); tr != "" {
		opts.Engine.Transports = strings.Split(tr, ",")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if q.Get("burst") != "" {
		return burst(ctx, origin, q.Get("csp") == "")
	}

	sock := client.Connect(origin, opts)
	defer sock.Disconnect()
	connected := make(chan struct{}, 1)
	welcome := make(chan Welcome, 1)
	answers := make(chan string, 1)
	binaries := make(chan []byte, 1)
	sock.OnConnect(func() { connected <- struct{}{} })
	sock.OnConnectError(func(err error) { fmt.Println("connect_error", err) })
	client.On(sock, "welcome", func(_ *client.Event, w Welcome) { welcome <- w })
	client.On(sock, "answer", func(_ *client.Event, a string) { answers <- a })
	sock.On("question", func(e *client.Event) {
		var q string
		if err := e.Decode(&q); err != nil {
			fmt.Println("question:", err)
			return
		}
		e.Ack("answer-to-" + q)
	})
	sock.On("echo", func(e *client.Event) {
		var b []byte
		if err := e.Decode(&b); err == nil {
			binaries <- b
		}
	})

	if err := wait(ctx, connected); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	fmt.Println("connected", sock.ID())
	w, err := recv(ctx, welcome)
	if err != nil {
		return fmt.Errorf("welcome: %w", err)
	}
	if w.ID != sock.ID() {
		return fmt.Errorf("welcome id %q != %q", w.ID, sock.ID())
	}

	args, err := sock.Timeout(5*time.Second).EmitWithAck(ctx, "echo", Echoed{A: 1, B: "x", C: []bool{true}})
	if err != nil {
		return fmt.Errorf("json echo: %w", err)
	}
	var e Echoed
	if err := args.Decode(0, &e); err != nil || e.A != 1 || e.B != "x" || len(e.C) != 1 {
		return fmt.Errorf("json echo: %+v %v", e, err)
	}
	fmt.Println("json ack ok")

	payload := []byte{1, 2, 3, 250, 0}
	args, err = sock.Timeout(5*time.Second).EmitWithAck(ctx, "echo", map[string]any{"data": payload, "n": "t"})
	if err != nil {
		return fmt.Errorf("binary echo: %w", err)
	}
	var bin struct {
		Data []byte `json:"data"`
		N    string `json:"n"`
	}
	if err := args.Decode(0, &bin); err != nil || !bytes.Equal(bin.Data, payload) || bin.N != "t" {
		return fmt.Errorf("binary echo: %v %+v", err, bin)
	}
	if len(args.Attachments()) != 1 {
		return fmt.Errorf("binary echo: %d attachments, want 1 (binary on the wire)", len(args.Attachments()))
	}
	fmt.Println("binary ack ok")

	ackc := make(chan error, 1)
	sock.Emit("echo", "cb", 42, client.AckFunc(func(a client.Args, err error) {
		var s string
		var n int
		if err == nil {
			err = a.Decode(0, &s)
		}
		if err == nil {
			err = a.Decode(1, &n)
		}
		if err == nil && (s != "cb" || n != 42) {
			err = fmt.Errorf("got %q %d", s, n)
		}
		ackc <- err
	}))
	if err := recvErr(ctx, ackc); err != nil {
		return fmt.Errorf("callback ack: %w", err)
	}
	fmt.Println("callback ack ok")

	if err := sock.Emit("ask", "what"); err != nil {
		return err
	}
	a, err := recv(ctx, answers)
	if err != nil || a != "answer-to-what" {
		return fmt.Errorf("server ack: %q %v", a, err)
	}
	fmt.Println("server ack ok")

	if err := sock.Emit("echo", []byte{9, 8, 7}); err != nil {
		return err
	}
	b, err := recv(ctx, binaries)
	if err != nil || !bytes.Equal(b, []byte{9, 8, 7}) {
		return fmt.Errorf("binary event from the server: %v %v", b, err)
	}
	fmt.Println("binary event ok")
	if want := q.Get("expectTransport"); want != "" {
		for i := 0; i < 100 && sock.Manager().Transport() != want; i++ {
			time.Sleep(50 * time.Millisecond) // an upgrade can still be on its way
		}
		if got := sock.Manager().Transport(); got != want {
			return fmt.Errorf("transport %q, want %q", got, want)
		}
	}
	fmt.Println("transport", sock.Manager().Transport())
	if !sock.Connected() {
		return errors.New("not connected at the end")
	}
	return nil
}

func mustString(v safejs.Value, prop string) (string, error) {
	p, err := v.Get(prop)
	if err != nil {
		return "", err
	}
	return p.String()
}

func wait(ctx context.Context, c <-chan struct{}) error {
	select {
	case <-c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func recv[T any](ctx context.Context, c <-chan T) (T, error) {
	select {
	case v := <-c:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func recvErr(ctx context.Context, c <-chan error) error {
	select {
	case err := <-c:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
