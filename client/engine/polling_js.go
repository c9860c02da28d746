//go:build js

package engine

import (
	"context"
	"errors"
	"strconv"

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
	pre, rest, abort, ok := loaderSent(method, url, body)
	if !ok {
		return f.fetch(ctx, method, url, body)
	}
	stop := context.AfterFunc(ctx, func() { _, _ = abort.Call("abort") })
	out, err := f.response(ctx, pre)
	stop()
	if err != nil || rest == nil {
		return out, err
	}
	return f.fetch(ctx, method, url, rest)
}

// fetch sends one request.
func (f *fetchHTTP) fetch(ctx context.Context, method, url string, body []byte) ([]byte, error) {
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
	p, err := fetch.Invoke(url, initJS)
	if err != nil {
		return nil, err
	}
	return f.response(ctx, p)
}

// response waits for a fetch Response promise and returns its body.
func (f *fetchHTTP) response(ctx context.Context, p safejs.Value) ([]byte, error) {
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

// loaderSent returns the response promise of a request the page's loader
// (client/dist's socket.io.js) sent for the client while client.wasm was
// loading: the handshake, the CONNECT POST and the first poll of the
// session. io.duplex.take(method, url, body) gives each once, for the same
// URL but its t parameter; for a POST, rest is what the body holds beyond
// the packets the loader sent (nil: nothing), to send after that response.
// abort is the AbortController of the loader's requests of that session.
// ok is false without a loader or such a request.
func loaderSent(method, url string, body []byte) (p safejs.Value, rest []byte, abort safejs.Value, ok bool) {
	no := func() (safejs.Value, []byte, safejs.Value, bool) { return safejs.Value{}, nil, safejs.Value{}, false }
	io, err := safejs.Global().Get("io")
	if err != nil || io.Type() != safejs.TypeFunction {
		return no()
	}
	d, err := io.Get("duplex")
	if err != nil || d.Type() != safejs.TypeObject {
		return no()
	}
	take, err := d.Get("take")
	if err != nil || take.Type() != safejs.TypeFunction {
		return no()
	}
	r, err := take.Invoke(method, url, string(body))
	if err != nil || r.Type() != safejs.TypeObject {
		return no()
	}
	if p, err = r.Index(0); err != nil || p.Type() != safejs.TypeObject {
		return no()
	}
	if abort, err = r.Index(2); err != nil || abort.Type() != safejs.TypeObject {
		return no()
	}
	if rv, err := r.Index(1); err == nil && rv.Type() == safejs.TypeString {
		s, err := rv.String()
		if err != nil {
			return no()
		}
		rest = []byte(s)
	}
	return p, rest, abort, true
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
