//go:build js && wasm

// Command gofloor is the floor of the browser receive benchmarks for a page
// written in Go (built to gofloor.wasm by the e2e harness): the least work
// any Go code must do to see a received event. It opens the Engine.IO
// websocket itself, connects to the main namespace, and hands frames to Go
// as the client does on a page without the loader (the same batching: a
// task per burst, text frames UTF-8 encoded into one buffer, one call into
// Go per batch, the batch copied into Go memory and each frame copied to a
// slice of its own). Go then only checks that a frame is an EVENT and
// counts it: no validation, no split, no handler dispatch. The client's
// gomeasure page less this page is what the client itself costs.
//
// It sets window.__connectAt on the namespace's CONNECT and defines
// window.__goFlood(n, size, resolve) with gomeasure's contract.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"github.com/hack-pad/safejs"
)

// batchJS makes the function (ws, fn) that takes over ws's message events:
// the client's batching (client/engine's batchSource), text frames only.
const batchJS = `"use strict";
var pending = [], scheduled = false, enc = new TextEncoder(), buf = new Uint8Array(16384);
function flush() {
	scheduled = false;
	var q = pending, off = 0;
	pending = [];
	for (var i = 0; i < q.length; i++) {
		var d = q[i];
		var need = off + 4 + d.length * 3;
		if (need > buf.length) {
			var nb = new Uint8Array(Math.max(need, buf.length * 2));
			nb.set(buf.subarray(0, off));
			buf = nb;
		}
		var n = enc.encodeInto(d, buf.subarray(off + 4)).written;
		buf[off] = n & 255;
		buf[off + 1] = (n >>> 8) & 255;
		buf[off + 2] = (n >>> 16) & 255;
		buf[off + 3] = n >>> 24;
		off += 4 + n;
		if (off >= 1 << 20) {
			fn(buf, off);
			off = 0;
		}
	}
	if (off) fn(buf, off);
}
ws.onmessage = function (ev) {
	pending.push(ev.data);
	if (!scheduled) {
		scheduled = true;
		setTimeout(flush, 0);
	}
};`

// page is the floor page's state; every field is used on the JS callback's
// goroutine only.
type page struct {
	ws      safejs.Value
	now     func() float64
	frames  []byte // the batch in Go memory, reused
	copy    bool   // ?copy=1: each frame copied to a slice of its own, as the client does
	kept    []byte // the last frame (with copy, a handler may keep it)
	n, size int
	seen    int
	batch   int
	t0      float64
	resolve safejs.Value
}

func main() {
	if err := run(); err != nil {
		_ = safejs.Global().Set("__result", "fail: "+err.Error())
	}
	select {} // the page's lifetime
}

func run() error {
	g := safejs.Global()
	perf, err := g.Get("performance")
	if err != nil {
		return err
	}
	p := &page{now: func() float64 {
		v, err := perf.Call("now")
		if err != nil {
			return 0
		}
		f, _ := v.Float()
		return f
	}}
	loc, err := g.Get("location")
	if err != nil {
		return err
	}
	searchV, err := loc.Get("search")
	if err != nil {
		return err
	}
	search, _ := searchV.String()
	p.copy = strings.Contains(search, "copy=1")
	hostV, err := loc.Get("host")
	if err != nil {
		return err
	}
	host, err := hostV.String()
	if err != nil {
		return err
	}
	ctor, err := g.Get("WebSocket")
	if err != nil {
		return err
	}
	if p.ws, err = ctor.New("ws://" + host + "/socket.io/?EIO=4&transport=websocket"); err != nil {
		return err
	}
	fnCtor, err := g.Get("Function")
	if err != nil {
		return err
	}
	batch, err := fnCtor.New("ws", "fn", batchJS)
	if err != nil {
		return err
	}
	onFrames, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if err := p.onFrames(args); err != nil {
			_ = g.Set("__result", "fail: "+err.Error())
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := batch.Invoke(p.ws, onFrames.Value()); err != nil {
		return err
	}
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) < 3 {
			return nil
		}
		p.n, _ = args[0].Int()
		p.size, _ = args[1].Int()
		p.seen = 0
		p.batch = max(1, min(p.n, (512<<10)/(p.size+32), 500))
		p.resolve = args[2]
		p.t0 = p.now()
		p.ask(p.batch)
		return nil
	})
	if err != nil {
		return err
	}
	return g.Set("__goFlood", start.Value())
}

// ask asks the server's flood handler for n events.
func (p *page) ask(n int) {
	_, _ = p.ws.Call("send", `42["flood",`+strconv.Itoa(n)+`,`+strconv.Itoa(p.size)+`]`)
}

// onFrames takes one batch: (bytes, n), each frame its UTF-8 length (4
// bytes, little-endian) and its text.
func (p *page) onFrames(args []safejs.Value) error {
	if len(args) < 2 {
		return errors.New("bad batch")
	}
	n, err := args[1].Int()
	if err != nil {
		return err
	}
	if cap(p.frames) < n {
		p.frames = make([]byte, n)
	}
	b := p.frames[:n]
	if _, err := safejs.CopyBytesToGo(b, args[0]); err != nil {
		return err
	}
	for len(b) >= 4 {
		l := int(binary.LittleEndian.Uint32(b))
		if l > len(b)-4 {
			return errors.New("bad frame length")
		}
		f := b[4 : 4+l]
		if p.copy {
			f = make([]byte, l)
			copy(f, b[4:4+l])
		}
		b = b[4+l:]
		if err := p.onFrame(f); err != nil {
			return err
		}
	}
	return nil
}

// onFrame handles one Engine.IO packet: the open, pings, the namespace's
// CONNECT and the flood's events.
func (p *page) onFrame(f []byte) error {
	switch {
	case len(f) > 0 && f[0] == '0': // open
		_, err := p.ws.Call("send", "40")
		return err
	case len(f) == 1 && f[0] == '2': // ping
		_, err := p.ws.Call("send", "3")
		return err
	case bytes.HasPrefix(f, []byte("40")):
		return safejs.Global().Set("__connectAt", p.now())
	case bytes.HasPrefix(f, []byte(`42["m",`)):
		p.kept = f
		p.seen++
		switch {
		case p.seen == p.n:
			_, err := p.resolve.Invoke(p.now() - p.t0)
			return err
		case p.seen%p.batch == 0:
			p.ask(min(p.batch, p.n-p.seen))
		}
	}
	return nil
}
