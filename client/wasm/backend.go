//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/hack-pad/safejs"
)

// backend creates client sockets for the loader's io() and keeps the
// Managers shared by namespaces of one server, as socket.io-client's cache.
type backend struct {
	log   client.Logger
	queue *queue
	js    *jsValues
	batch *batch // received events on their way to JavaScript

	mu       sync.Mutex
	managers map[string]*managerEntry // by origin + path
	funcs    []safejs.Func            // live for the page's lifetime
}

type managerEntry struct {
	m     *client.Manager
	nsps  map[string]bool
	route *route // the Manager's table for the loader's fast path, or nil
}

func newBackend(log client.Logger) (*backend, error) {
	js, err := newJSValues()
	if err != nil {
		return nil, err
	}
	b := &backend{log: log, queue: newQueue(), js: js, managers: make(map[string]*managerEntry)}
	if b.batch, err = newBatch(js, b.funcOf); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *backend) run() { b.queue.run() }

// funcOf wraps fn as a JS function that lives as long as the page.
func (b *backend) funcOf(fn func(args []safejs.Value) any) (safejs.Value, error) {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any { return fn(args) })
	if err != nil {
		return safejs.Value{}, err
	}
	b.mu.Lock()
	b.funcs = append(b.funcs, f)
	b.mu.Unlock()
	return f.Value(), nil
}

// jsObject returns the backend object given to io.duplex.ready.
func (b *backend) jsObject() (safejs.Value, error) {
	obj, err := newObject()
	if err != nil {
		return safejs.Value{}, err
	}
	fn, err := b.funcOf(func(args []safejs.Value) any {
		h, err := b.newSocket(args)
		if err != nil {
			b.log.Error("duplex: io()", "err", err)
			return throw(err)
		}
		return h
	})
	if err != nil {
		return safejs.Value{}, err
	}
	return obj, obj.Set("socket", fn)
}

func newObject() (safejs.Value, error) {
	object, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	return object.New()
}

// throw returns a JS Error for a callback's result (the loader reports it).
func throw(err error) any {
	e, jerr := safejs.Global().Get("Error")
	if jerr != nil {
		return nil
	}
	v, jerr := e.New(err.Error())
	if jerr != nil {
		return nil
	}
	return v
}

// newSocket implements backend.socket(origin, nsp, options, sink, authFn):
// origin is the server's URL without a path (its query string is the
// Engine.IO query), nsp the namespace, options the object the loader built.
func (b *backend) newSocket(args []safejs.Value) (safejs.Value, error) {
	if len(args) < 4 {
		return safejs.Value{}, errors.New("duplex: backend.socket needs origin, namespace, options and sink")
	}
	origin, err := args[0].String()
	if err != nil {
		return safejs.Value{}, err
	}
	nsp, err := args[1].String()
	if err != nil {
		return safejs.Value{}, err
	}
	if nsp == "" {
		nsp = "/"
	}
	o, err := readOptions(args[2])
	if err != nil {
		return safejs.Value{}, errors.Join(errors.New("duplex: options"), err)
	}
	co, so := o.options(b.log)
	// The socket's handlers only call the loader's sink and listeners,
	// which do not wait: events are dispatched to JavaScript from the
	// callback that received them.
	so.NonBlockingHandlers = true
	if len(args) > 4 && args[4].Type() == safejs.TypeFunction {
		so.AuthFunc = jsAuth(args[4], b.log)
	}
	sk := &socket{b: b, sink: args[3], nsp: nsp, acks: make(map[int]*client.Event)}
	var table safejs.Value // a table for the loader's fast path, if it gave one
	if len(args) > 5 && args[5].Type() == safejs.TypeObject {
		table = args[5]
	}
	// The socket is made on the queue's goroutine: NewManager and
	// Manager.Socket may block on the client's locks.
	b.queue.add(func() {
		m, r, err := b.manager(origin, nsp, o, co, table)
		if err != nil {
			sk.send("connect_error", err.Error(), "null")
			return
		}
		if r != nil {
			sk.route = r
			_, _ = r.js.Call("add", nsp, sk.sink) // before it can connect
		}
		sk.attach(m.Socket(nsp, so))
	})
	return sk.jsObject()
}

// manager returns the Manager for origin (and path), shared unless the
// namespace is already in use on it, or forceNew / multiplex:false (as
// socket.io-client).
func (b *backend) manager(origin, nsp string, o *jsOptions, co *client.Options, table safejs.Value) (*client.Manager, *route, error) {
	key := origin + "|" + co.Engine.Path
	share := !o.ForceNew && (o.Multiplex == nil || *o.Multiplex)
	b.mu.Lock()
	e := b.managers[key]
	b.mu.Unlock()
	if share && e != nil && !e.nsps[nsp] {
		e.nsps[nsp] = true
		return e.m, e.route, nil
	}
	var r *route
	if table.Type() == safejs.TypeObject {
		r = &route{b: b, js: table}
		co.Engine.Loader = r
	}
	m, err := client.NewRawManager(origin, co)
	if err != nil {
		return nil, nil, err
	}
	if share {
		b.mu.Lock()
		b.managers[key] = &managerEntry{m: m, nsps: map[string]bool{nsp: true}, route: r}
		b.mu.Unlock()
	}
	return m, r, nil
}

// jsAuth returns an AuthFunc that calls the page's auth(cb) and waits for cb.
func jsAuth(fn safejs.Value, log client.Logger) func() any {
	return func() any {
		ch := make(chan json.RawMessage, 1)
		cb, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			var text string
			if len(args) > 0 {
				if j, err := safejs.Global().Get("JSON"); err == nil {
					if s, err := j.Call("stringify", args[0]); err == nil && !s.IsUndefined() {
						text, _ = s.String()
					}
				}
			}
			select {
			case ch <- json.RawMessage(text):
			default:
			}
			return nil
		})
		if err != nil {
			return nil
		}
		defer cb.Release()
		if _, err := fn.Invoke(cb.Value()); err != nil {
			log.Warn("duplex: auth callback threw", "err", err)
			return nil
		}
		// time.AfterFunc, not time.After: a timer channel links time's
		// formatting (time.Time.String, kept for the channel's element type)
		// and internal/godebug's metrics (~90 KB of client.wasm).
		expired := make(chan struct{})
		t := time.AfterFunc(10*time.Second, func() { close(expired) })
		defer t.Stop()
		select {
		case v := <-ch:
			if len(v) == 0 || strings.TrimSpace(string(v)) == "null" {
				return nil
			}
			return v
		case <-expired:
			log.Warn("duplex: auth callback did not answer within 10s")
			return nil
		}
	}
}
