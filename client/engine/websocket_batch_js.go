//go:build js

package engine

import (
	"github.com/hack-pad/safejs"
)

// batchSource is the body of a JavaScript function (ws, fn) that takes over
// the message events of WebSocket ws on a page without the loader (a page
// written in Go), as the loader's io.duplex.receive does without its fast
// path: a message event queues the frame and, if none is pending, a task
// (setTimeout 0); the task hands every frame queued meanwhile to fn, text
// frames together as fn(0, bytes, n) (each frame its UTF-8 length, 4 bytes
// little-endian, then its bytes; at most about 1 MB per call), a binary
// frame as fn(1, Uint8Array), in the order they came. Frames that arrive
// while the page is busy then cross into Go in one call instead of one
// each, and their text is encoded once, into a reused buffer. A close or
// error event first hands over the frames before it; once Go has detached
// the handlers (ws.onmessage changed), nothing more is handed over.
const batchSource = `"use strict";
var pending = [], scheduled = false, enc = new TextEncoder(), buf = new Uint8Array(16384);
function flush() {
	scheduled = false;
	var q = pending, off = 0;
	pending = [];
	for (var i = 0; i < q.length; i++) {
		if (ws.onmessage !== onmessage) return;
		var d = q[i];
		if (typeof d !== "string") {
			if (off) {
				fn(0, buf, off);
				off = 0;
				if (ws.onmessage !== onmessage) return;
			}
			fn(1, new Uint8Array(d));
			continue;
		}
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
			fn(0, buf, off);
			off = 0;
		}
	}
	if (off && ws.onmessage === onmessage) fn(0, buf, off);
	if (buf.length > 4 << 20) buf = new Uint8Array(16384);
}
function onmessage(ev) {
	pending.push(ev.data);
	if (!scheduled) {
		scheduled = true;
		setTimeout(flush, 0);
	}
}
function first(h) {
	return function (ev) {
		if (pending.length) flush();
		if (h) return h.call(ws, ev);
	};
}
ws.onmessage = onmessage;
ws.onclose = first(ws.onclose);
ws.onerror = first(ws.onerror);`

// batchFunc returns the loader's io.duplex.receive when the page has it,
// else a function made from batchSource. ok is false when neither is
// available (a Content-Security-Policy without 'unsafe-eval' forbids making
// functions from source): each frame then comes through onmessage.
func batchFunc() (f safejs.Value, ok bool) {
	if f, ok := loaderFunc("receive"); ok {
		return f, true
	}
	ctor, err := safejs.Global().Get("Function")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return safejs.Value{}, false
	}
	f, err = ctor.New("ws", "fn", batchSource)
	if err != nil || f.Type() != safejs.TypeFunction {
		return safejs.Value{}, false
	}
	return f, true
}
