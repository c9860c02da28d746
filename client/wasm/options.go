//go:build js && wasm

package main

import (
	"math"
	"time"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/engine"
	"github.com/hack-pad/safejs"
)

// jsOptions are the socket.io-client options the backend understands, read
// from the plain object the loader builds (see socket.io.js, backendOptions):
// numbers, booleans, strings and an array of transport names (auth is read
// through the authFn given to backend.socket, before every connection). Reading them field by field keeps
// encoding/json's decoder out of client.wasm.
type jsOptions struct {
	Path                 string
	Transports           []string
	Upgrade              *bool
	Reconnection         *bool
	ReconnectionAttempts *float64
	ReconnectionDelay    *float64
	ReconnectionDelayMax *float64
	RandomizationFactor  *float64
	Timeout              *float64
	AutoConnect          *bool
	AckTimeout           *float64
	Retries              *float64
	ForceNew             bool
	Multiplex            *bool
}

// readOptions reads the loader's options object. A field of the wrong type
// is an error (the loader has checked them: this is a bug, not user input).
func readOptions(v safejs.Value) (*jsOptions, error) {
	o := &jsOptions{}
	if v.IsUndefined() || v.IsNull() {
		return o, nil
	}
	var err error
	str := func(name string) string {
		f, e := v.Get(name)
		if e != nil || f.Type() != safejs.TypeString {
			err = firstErr(err, e)
			return ""
		}
		s, e := f.String()
		err = firstErr(err, e)
		return s
	}
	boolean := func(name string) *bool {
		f, e := v.Get(name)
		if e != nil || f.Type() != safejs.TypeBoolean {
			err = firstErr(err, e)
			return nil
		}
		b, e := f.Bool()
		err = firstErr(err, e)
		return &b
	}
	number := func(name string) *float64 {
		f, e := v.Get(name)
		if e != nil || f.Type() != safejs.TypeNumber {
			err = firstErr(err, e)
			return nil
		}
		n, e := f.Float()
		err = firstErr(err, e)
		return &n
	}
	o.Path = str("path")
	// In the order the properties were always read (one getter's error is
	// the one returned).
	var forceNew *bool
	for _, f := range [...]struct {
		name string
		b    **bool    // a boolean option, or
		n    **float64 // a number option
	}{
		{name: "upgrade", b: &o.Upgrade},
		{name: "reconnection", b: &o.Reconnection},
		{name: "reconnectionAttempts", n: &o.ReconnectionAttempts},
		{name: "reconnectionDelay", n: &o.ReconnectionDelay},
		{name: "reconnectionDelayMax", n: &o.ReconnectionDelayMax},
		{name: "randomizationFactor", n: &o.RandomizationFactor},
		{name: "timeout", n: &o.Timeout},
		{name: "autoConnect", b: &o.AutoConnect},
		{name: "ackTimeout", n: &o.AckTimeout},
		{name: "retries", n: &o.Retries},
		{name: "forceNew", b: &forceNew},
		{name: "multiplex", b: &o.Multiplex},
	} {
		if f.b != nil {
			*f.b = boolean(f.name)
		} else {
			*f.n = number(f.name)
		}
	}
	if forceNew != nil {
		o.ForceNew = *forceNew
	}
	if ts, e := v.Get("transports"); e != nil {
		err = firstErr(err, e)
	} else if ts.Type() == safejs.TypeObject {
		n, e := ts.Length()
		err = firstErr(err, e)
		for i := range n {
			t, e := ts.Index(i)
			err = firstErr(err, e)
			if e == nil {
				s, e := t.String()
				err = firstErr(err, e)
				o.Transports = append(o.Transports, s)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func ms(f *float64) time.Duration {
	if f == nil || *f <= 0 || math.IsInf(*f, 0) || math.IsNaN(*f) {
		return 0
	}
	return time.Duration(*f * float64(time.Millisecond))
}

// options maps socket.io-client options to the Manager's and the socket's.
func (o *jsOptions) options(log client.Logger) (*client.Options, *client.SocketOptions) {
	co := &client.Options{
		Engine: engine.Options{
			Path:       o.Path,
			Transports: o.Transports,
			NoUpgrade:  o.Upgrade != nil && !*o.Upgrade,
			Logger:     log,
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
	so := &client.SocketOptions{
		AckTimeout:    ms(o.AckTimeout),
		NoAutoConnect: o.AutoConnect != nil && !*o.AutoConnect,
	}
	if o.Retries != nil && *o.Retries > 0 {
		so.Retries = int(*o.Retries)
	}
	return co, so
}
