//go:build js

package engine

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/duplexio/duplex/internal/wrap"
	"github.com/hack-pad/safejs"
)

// fetchHTTP does polling requests with the browser's fetch, so that net/http
// is not linked into the wasm binary.
type fetchHTTP struct {
	readLimit int64
}

func newHTTPDoer(o *Options) httpDoer { return &fetchHTTP{readLimit: o.ReadLimit} }

func (f *fetchHTTP) closeIdle() {}

func (f *fetchHTTP) do(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	fetch, err := safejs.Global().Get("fetch")
	if err != nil || fetch.IsUndefined() {
		return nil, errors.New("engine: fetch is not available")
	}
	ctl, err := newJS("AbortController")
	if err != nil {
		return nil, err
	}
	signal, err := ctl.Get("signal")
	if err != nil {
		return nil, err
	}
	init := map[string]any{"method": method, "cache": "no-store"}
	if body != nil {
		init["body"] = string(body) // polling payloads are always text in EIO v4
		init["headers"] = map[string]any{"Content-Type": "text/plain;charset=UTF-8"}
	}
	initJS, err := safejs.ValueOf(init)
	if err != nil {
		return nil, err
	}
	if err := initJS.Set("signal", signal); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _, _ = ctl.Call("abort") })
	defer stop()
	p, ok := handshakeFetched(method, url)
	if !ok {
		if p, err = fetch.Invoke(url, initJS); err != nil {
			return nil, err
		}
	}
	resp, err := await(ctx, p)
	if err != nil {
		return nil, err
	}
	status, err := getInt(resp, "status")
	if err != nil {
		return nil, err
	}
	tp, err := resp.Call("text")
	if err != nil {
		return nil, err
	}
	text, err := await(ctx, tp)
	if err != nil {
		return nil, err
	}
	s, err := text.String()
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, wrap.New(ErrHTTPStatus.Error()+": "+strconv.Itoa(status)+" "+s, ErrHTTPStatus)
	}
	if int64(len(s)) > f.readLimit {
		return nil, errors.New("engine: polling response over " + strconv.FormatInt(f.readLimit, 10) + " bytes")
	}
	return []byte(s), nil
}

// handshakeFetched returns the response promise of this handshake request
// (a GET without sid) when the page's loader (client/dist's socket.io.js)
// started it while client.wasm was loading: io.duplex.takeHandshake(url)
// gives it once, for the same URL but its t parameter. ok is false without
// a loader or such a request.
func handshakeFetched(method, url string) (p safejs.Value, ok bool) {
	if method != "GET" || strings.Contains(url, "?sid=") || strings.Contains(url, "&sid=") {
		return safejs.Value{}, false
	}
	io, err := safejs.Global().Get("io")
	if err != nil || io.Type() != safejs.TypeFunction {
		return safejs.Value{}, false
	}
	d, err := io.Get("duplex")
	if err != nil || d.Type() != safejs.TypeObject {
		return safejs.Value{}, false
	}
	take, err := d.Get("takeHandshake")
	if err != nil || take.Type() != safejs.TypeFunction {
		return safejs.Value{}, false
	}
	p, err = take.Invoke(url)
	if err != nil || p.Type() != safejs.TypeObject {
		return safejs.Value{}, false
	}
	return p, true
}

func newJS(class string, args ...any) (safejs.Value, error) {
	c, err := safejs.Global().Get(class)
	if err != nil {
		return safejs.Value{}, err
	}
	return c.New(args...)
}

func getInt(v safejs.Value, prop string) (int, error) {
	x, err := v.Get(prop)
	if err != nil {
		return 0, err
	}
	return x.Int()
}

// await waits for a JS Promise: its then/catch callbacks hand the outcome to a
// channel (they never block) and are released afterwards.
func await(ctx context.Context, promise safejs.Value) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	ch := make(chan result, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			if m, err := args[0].Call("toString"); err == nil {
				if s, err := m.String(); err == nil {
					msg = s
				}
			}
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer onErr.Release()
	if _, err := promise.Call("then", onOK.Value(), onErr.Value()); err != nil {
		return safejs.Value{}, err
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		// The abort signal rejects the promise; wait for it so the callbacks
		// are not released while JS may still call them.
		r := <-ch
		if r.err == nil {
			return r.v, nil
		}
		return safejs.Value{}, ctx.Err()
	}
}
