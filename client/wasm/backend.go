//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
)

// backend creates client sockets for the loader's io() and keeps the
// Managers shared by namespaces of one server, as socket.io-client's cache.
type backend struct {
	log   *slog.Logger
	queue *queue

	mu       sync.Mutex
	managers map[string]*managerEntry // by origin + path
	funcs    []safejs.Func            // live for the page's lifetime
}

type managerEntry struct {
	m    *client.Manager
	nsps map[string]bool
}

func newBackend(log *slog.Logger) *backend {
	return &backend{log: log, queue: newQueue(), managers: make(map[string]*managerEntry)}
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

// jsOptions are the socket.io-client options the backend understands.
type jsOptions struct {
	Path                 string          `json:"path"`
	Transports           []string        `json:"transports"`
	Upgrade              *bool           `json:"upgrade"`
	Query                map[string]any  `json:"query"`
	Reconnection         *bool           `json:"reconnection"`
	ReconnectionAttempts *float64        `json:"reconnectionAttempts"`
	ReconnectionDelay    *float64        `json:"reconnectionDelay"`
	ReconnectionDelayMax *float64        `json:"reconnectionDelayMax"`
	RandomizationFactor  *float64        `json:"randomizationFactor"`
	Timeout              *float64        `json:"timeout"`
	AutoConnect          *bool           `json:"autoConnect"`
	Auth                 json.RawMessage `json:"auth"`
	AckTimeout           *float64        `json:"ackTimeout"`
	Retries              *float64        `json:"retries"`
	ForceNew             bool            `json:"forceNew"`
	Multiplex            *bool           `json:"multiplex"`
}

func ms(f *float64) time.Duration {
	if f == nil || *f <= 0 || math.IsInf(*f, 0) {
		return 0
	}
	return time.Duration(*f * float64(time.Millisecond))
}

// options maps socket.io-client options to the Manager's and the socket's.
func (o *jsOptions) options(log *slog.Logger) (*client.Options, *client.SocketOptions) {
	co := &client.Options{
		Engine: engine.Options{
			Path:       o.Path,
			Transports: o.Transports,
			NoUpgrade:  o.Upgrade != nil && !*o.Upgrade,
		},
		NoReconnection:       o.Reconnection != nil && !*o.Reconnection,
		ReconnectionDelay:    ms(o.ReconnectionDelay),
		ReconnectionDelayMax: ms(o.ReconnectionDelayMax),
		Timeout:              ms(o.Timeout),
		Logger:               log,
	}
	if o.ReconnectionAttempts != nil && !math.IsInf(*o.ReconnectionAttempts, 0) && *o.ReconnectionAttempts > 0 {
		co.ReconnectionAttempts = int(*o.ReconnectionAttempts)
	}
	if o.RandomizationFactor != nil {
		co.RandomizationFactor = *o.RandomizationFactor
		if co.RandomizationFactor == 0 {
			co.RandomizationFactor = -1 // zero means "default" in Go: ask for no jitter
		}
	}
	if len(o.Query) > 0 {
		co.Engine.Query = url.Values{}
		for k, v := range o.Query {
			co.Engine.Query.Set(k, fmt.Sprint(v))
		}
	}
	so := &client.SocketOptions{
		AckTimeout:    ms(o.AckTimeout),
		NoAutoConnect: o.AutoConnect != nil && !*o.AutoConnect,
	}
	if len(o.Auth) > 0 && string(o.Auth) != "null" {
		so.Auth = o.Auth
	}
	if o.Retries != nil && *o.Retries > 0 {
		so.Retries = int(*o.Retries)
	}
	return co, so
}

// newSocket implements backend.socket(url, optsJSON, sink, authFn).
func (b *backend) newSocket(args []safejs.Value) (safejs.Value, error) {
	if len(args) < 3 {
		return safejs.Value{}, errors.New("duplex: backend.socket needs url, options and sink")
	}
	rawURL, err := args[0].String()
	if err != nil {
		return safejs.Value{}, err
	}
	optsText, err := args[1].String()
	if err != nil {
		return safejs.Value{}, err
	}
	var o jsOptions
	if err := json.Unmarshal([]byte(optsText), &o); err != nil {
		return safejs.Value{}, fmt.Errorf("duplex: options: %w", err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return safejs.Value{}, fmt.Errorf("duplex: url: %w", err)
	}
	nsp := u.Path
	if nsp == "" {
		nsp = "/"
	}
	co, so := o.options(b.log)
	if len(args) > 3 && args[3].Type() == safejs.TypeFunction {
		so.AuthFunc = jsAuth(args[3], b.log)
	}
	sk := &socket{b: b, sink: args[2], acks: make(map[int]*client.Event)}
	// The socket is made on the queue's goroutine: NewManager and
	// Manager.Socket may block on the client's locks.
	b.queue.add(func() {
		m, err := b.manager(u, nsp, &o, co)
		if err != nil {
			sk.send("connect_error", err.Error(), "null")
			return
		}
		sk.attach(m.Socket(nsp, so))
	})
	return sk.jsObject()
}

// manager returns the Manager for u's origin, shared unless the namespace
// is already in use on it, or forceNew / multiplex:false (as socket.io-client).
func (b *backend) manager(u *url.URL, nsp string, o *jsOptions, co *client.Options) (*client.Manager, error) {
	key := u.Scheme + "://" + u.Host + "|" + co.Engine.Path
	share := !o.ForceNew && (o.Multiplex == nil || *o.Multiplex)
	b.mu.Lock()
	e := b.managers[key]
	b.mu.Unlock()
	if share && e != nil && !e.nsps[nsp] {
		e.nsps[nsp] = true
		return e.m, nil
	}
	origin := *u
	origin.Path, origin.RawPath = "", ""
	m, err := client.NewManager(origin.String(), co)
	if err != nil {
		return nil, err
	}
	if share {
		b.mu.Lock()
		b.managers[key] = &managerEntry{m: m, nsps: map[string]bool{nsp: true}}
		b.mu.Unlock()
	}
	return m, nil
}

// jsAuth returns an AuthFunc that calls the page's auth(cb) and waits for cb.
func jsAuth(fn safejs.Value, log *slog.Logger) func() any {
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
		select {
		case v := <-ch:
			if len(v) == 0 || strings.TrimSpace(string(v)) == "null" {
				return nil
			}
			return v
		case <-time.After(10 * time.Second):
			log.Warn("duplex: auth callback did not answer within 10s")
			return nil
		}
	}
}
