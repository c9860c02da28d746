//go:build js

package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"sync"

	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
	"github.com/hack-pad/safejs"
)

// wsTransport is the browser's WebSocket, used through safejs (not
// coder/websocket, whose js build links net/http's initialisation: ~2 MB).
// Its event callbacks never block: they queue and signal.
type wsTransport struct {
	conn      *Conn // the session it was dialled for (it may not be, or not yet be, its transport)
	ws        safejs.Value
	readLimit int64
	funcs     []safejs.Func
	loader    loaderHook // Options.Loader, or nil

	mu      sync.Mutex
	queue   []eio.Packet
	pushFn  func([]eio.Packet) bool // set by push: where onMessage delivers
	pushing bool                    // pushFn is running
	stopped bool                    // pushFn returned false
	one     [1]eio.Packet           // the slice onMessage passes to pushFn
	frames  []byte                  // onFrames' text frames, reused (only there)
	err     error                   // set when the socket closed or failed
	notify  chan struct{}           // cap 1: something was queued or the socket ended
	opened  chan struct{}           // closed by the open event
	closing sync.Once
}

var errWebSocketClosed = errors.New("websocket closed")

func dialWebSocket(ctx context.Context, url string, c *Conn) (transport, error) {
	o := &c.opts
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil || ctor.IsUndefined() {
		return nil, errors.New("engine: WebSocket is not available")
	}
	ws, err := ctor.New(url)
	if err != nil {
		return nil, wrap.In("engine: websocket", err)
	}
	w := &wsTransport{conn: c, ws: ws, readLimit: o.ReadLimit, notify: make(chan struct{}, 1), opened: make(chan struct{})}
	w.loader, _ = o.Loader.(loaderHook)
	if w.loader != nil { // on a probe, the session's polling Sends clear wsync too: harmless
		c.mu.Lock()
		c.queued = w.queued
		c.mu.Unlock()
	}
	if err := ws.Set("binaryType", "arraybuffer"); err != nil {
		w.close()
		return nil, err
	}
	var openOnce sync.Once
	handlers := [...]struct {
		prop string
		h    func(args []safejs.Value)
	}{
		{"onopen", func([]safejs.Value) { openOnce.Do(func() { close(w.opened) }) }},
		{"onmessage", func(args []safejs.Value) {
			if len(args) > 0 {
				w.onMessage(args[0])
			}
		}},
		{"onerror", func([]safejs.Value) { w.fail(errors.New("websocket error")) }},
		{"onclose", func([]safejs.Value) { w.fail(errWebSocketClosed) }},
	}
	for _, hp := range handlers {
		prop, h := hp.prop, hp.h
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any { h(args); return nil })
		if err != nil {
			w.close()
			return nil, err
		}
		w.funcs = append(w.funcs, f)
		if err := ws.Set(prop, f.Value()); err != nil {
			w.close()
			return nil, err
		}
	}
	if err := w.batched(); err != nil {
		w.close()
		return nil, err
	}
	select {
	case <-w.opened:
		return w, nil
	case <-w.notify:
		w.mu.Lock()
		err := w.err
		w.mu.Unlock()
		if err == nil { // a message signalled: the socket is open
			w.signal()
			return w, nil
		}
		w.close()
		return nil, wrap.New("engine: websocket "+url+": "+err.Error(), err)
	case <-ctx.Done():
		w.close()
		return nil, ctx.Err()
	}
}

func (w *wsTransport) name() string { return WebSocket }

// onMessage runs in a JS callback: it decodes the frame and, when push is
// running and nothing is queued before it, hands the packet over at once,
// in this callback (one JS->Go entry per frame, no goroutine switch);
// otherwise it queues and signals. It never blocks.
func (w *wsTransport) onMessage(ev safejs.Value) {
	data, err := ev.Get("data")
	if err != nil {
		w.fail(err)
		return
	}
	var p eio.Packet
	if data.Type() == safejs.TypeString {
		s, err := data.String()
		if err == nil && int64(len(s)) > w.readLimit {
			err = errors.New("message of " + strconv.Itoa(len(s)) + " bytes over the read limit")
		}
		if err == nil {
			p, err = eio.DecodeText([]byte(s))
			if err != nil {
				err = &CloseError{Reason: ReasonParseError, Err: err}
			}
		}
		if err != nil {
			w.fail(err)
			return
		}
	} else {
		u8, err := newJS("Uint8Array", data)
		if err != nil {
			w.fail(err)
			return
		}
		n, err := u8.Length()
		if err == nil && int64(n) > w.readLimit {
			err = errors.New("message of " + strconv.Itoa(n) + " bytes over the read limit")
		}
		if err != nil {
			w.fail(err)
			return
		}
		b := make([]byte, n)
		if _, err := safejs.CopyBytesToGo(b, u8); err != nil {
			w.fail(err)
			return
		}
		p = eio.BinaryMessage(b)
	}
	w.one[0] = p
	w.deliver(w.one[:])
	w.one[0] = eio.Packet{}
}

// deliver hands pkts over at once when push is running and nothing is
// queued before them (on this goroutine: a JS callback's), else queues them
// for push or read. pkts is not kept.
func (w *wsTransport) deliver(pkts []eio.Packet) {
	w.mu.Lock()
	if fn := w.pushFn; fn != nil && !w.pushing && !w.stopped && len(w.queue) == 0 {
		w.pushLocked(fn, pkts)
		wake := w.stopped || len(w.queue) > 0 || w.err != nil
		w.mu.Unlock()
		if wake {
			w.signal()
		}
		return
	}
	w.queue = append(w.queue, pkts...)
	w.mu.Unlock()
	w.signal()
}

// pushLocked runs fn(pkts) as the one running delivery: called with w.mu
// held, it unlocks around fn and returns with w.mu held again, stopped set
// when fn refused more.
func (w *wsTransport) pushLocked(fn func([]eio.Packet) bool, pkts []eio.Packet) {
	w.pushing = true
	w.mu.Unlock()
	ok := fn(pkts)
	w.mu.Lock()
	w.pushing = false
	w.stopped = w.stopped || !ok
}

// loaderHook is what Options.Loader implements for the loader's fast path
// (client/wasm's route): JSValue is its table, handed to io.duplex.receive
// with the socket; Sync reports whether everything the Manager was given so
// far has reached the page (and hands over what it holds for the page), so
// that the loader may dispatch the next frame itself; Idle whether the
// page's io has run every call the loader made (an emit among them), so
// that the loader may write the next frame itself.
type loaderHook interface {
	JSValue() safejs.Value
	Sync() bool
	Idle() bool
}

// batched lets JavaScript take over the socket's message events: it hands
// the frames that arrived while the page was busy to onFrames in one call
// (io.duplex.receive describes the format). On a page with the loader
// (client/dist/socket.io.js) that is io.duplex.receive, which, with
// Options.Loader, also dispatches the plain events of the namespaces its
// table lists itself, after onFrames(2) said that nothing handed over before
// them is still on its way; on a page written in Go, batchSource. Where
// neither can run, each frame comes through onmessage.
func (w *wsTransport) batched() error {
	recv, ok := batchFunc()
	if !ok {
		return nil
	}
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		switch len(args) {
		case 0:
			return w.writable()
		case 1:
			return w.synced()
		}
		w.onFrames(args)
		return nil
	})
	if err != nil {
		return err
	}
	w.funcs = append(w.funcs, f)
	table := safejs.Null()
	if w.loader != nil {
		table = w.loader.JSValue()
	}
	_, err = recv.Invoke(w.ws, f.Value(), table)
	return err
}

// synced implements the loader's onFrames(2): true when the frames handed
// over so far have all been delivered (none queued, no delivery running,
// push running) and the Manager has handled them and handed what they
// produced to the page (Options.Loader's Sync).
func (w *wsTransport) synced() bool {
	w.mu.Lock()
	idle := w.pushFn != nil && !w.pushing && !w.stopped && len(w.queue) == 0 && w.err == nil
	w.mu.Unlock()
	return idle && w.loader != nil && w.loader.Sync()
}

// writable implements the loader's fn(): true when this WebSocket is its
// session's transport and nothing is queued for it or being written, nor
// has the page's io a call of the loader still to run (Options.Loader's
// Idle). A frame the loader then writes itself is where Go would have
// written it; the loader writes more without asking again until queued
// (or a call of its own into Go) says otherwise.
func (w *wsTransport) writable() bool {
	c := w.conn
	c.mu.Lock()
	idle := c.tr == transport(w) && c.err == nil && !c.closing && !c.pausing && len(c.queue) == 0 && !c.writing
	c.mu.Unlock()
	return idle && w.loader != nil && w.loader.Idle()
}

// queued is the session's Conn.queued: what the loader writes now would
// overtake what Go has queued, so it asks fn() again first.
func (w *wsTransport) queued() { _ = w.loader.JSValue().Set("wsync", false) }

// loaderFunc returns the function io.duplex[name] of the loader, if the page has it.
func loaderFunc(name string) (safejs.Value, bool) {
	v, err := safejs.Global().Get("io")
	for _, k := range []string{"duplex", name} {
		if err != nil || (v.Type() != safejs.TypeObject && v.Type() != safejs.TypeFunction) {
			return safejs.Value{}, false
		}
		v, err = v.Get(k)
	}
	if err != nil || v.Type() != safejs.TypeFunction {
		return safejs.Value{}, false
	}
	return v, true
}

// onFrames receives frames from the loader's receive, in a JS callback:
// (0, bytes, n) text frames, each its length (4 bytes, little-endian) and
// its UTF-8 text; (1, Uint8Array) a binary frame.
func (w *wsTransport) onFrames(args []safejs.Value) {
	if len(args) < 2 {
		w.fail(errors.New("websocket: bad frames from the loader"))
		return
	}
	kind, err := args[0].Int()
	if err != nil {
		w.fail(err)
		return
	}
	n := 0
	if kind == 0 && len(args) > 2 {
		n, err = args[2].Int()
	} else if kind == 1 {
		n, err = args[1].Length()
	} else {
		err = errors.New("websocket: bad frames from the loader")
	}
	if err == nil && kind == 1 && int64(n) > w.readLimit {
		err = errors.New("message of " + strconv.Itoa(n) + " bytes over the read limit")
	}
	if err != nil {
		w.fail(err)
		return
	}
	// Text frames come through a buffer kept from call to call, each then
	// copied to a slice of its own (allocated without clearing): a packet
	// keeps only its own frame alive, not the whole batch (up to 1 MB), and
	// a batch costs no large allocation, which with its clearing took about
	// 1.5 % of the main thread receiving 16 KB events on a page written in
	// Go (the copies' allocations: about 1.2 %).
	var b []byte
	if kind == 1 {
		b = make([]byte, n)
	} else {
		if cap(w.frames) < n || cap(w.frames) > 4<<20 && n <= 4<<20 {
			w.frames = make([]byte, n)
		}
		b = w.frames[:n]
	}
	if _, err := safejs.CopyBytesToGo(b, args[1]); err != nil {
		w.fail(err)
		return
	}
	if kind == 1 {
		w.one[0] = eio.BinaryMessage(b)
		w.deliver(w.one[:])
		w.one[0] = eio.Packet{}
		return
	}
	var pkts []eio.Packet
	for len(b) > 0 {
		if len(b) < 4 || int64(len(b)-4) < int64(binary.LittleEndian.Uint32(b)) {
			err = errors.New("websocket: bad frames from the loader")
			break
		}
		l := int64(binary.LittleEndian.Uint32(b))
		if l > w.readLimit {
			err = errors.New("message of " + strconv.FormatInt(l, 10) + " bytes over the read limit")
			break
		}
		src := b[4 : 4+l]
		f := make([]byte, len(src)) // with the copy: not cleared first
		copy(f, src)
		p, derr := eio.DecodeText(f)
		if derr != nil {
			err = &CloseError{Reason: ReasonParseError, Err: derr}
			break
		}
		pkts = append(pkts, p)
		b = b[4+l:]
	}
	if len(pkts) > 0 {
		w.deliver(pkts) // the frames before a bad one first, as unbatched
	}
	if err != nil {
		w.fail(err)
	}
}

// push implements pusher: onMessage delivers; this goroutine delivers what
// was queued before push or while a delivery was running, and waits for the
// end (it returns only when no delivery is running).
func (w *wsTransport) push(ctx context.Context, fn func([]eio.Packet) bool) error {
	w.mu.Lock()
	w.pushFn = fn
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.pushFn = nil
		w.mu.Unlock()
	}()
	for {
		w.mu.Lock()
		if w.stopped && !w.pushing {
			w.mu.Unlock()
			return nil
		}
		if len(w.queue) > 0 && !w.pushing && !w.stopped {
			pkts := w.queue
			w.queue = nil
			w.pushLocked(fn, pkts)
			w.mu.Unlock()
			continue
		}
		err := w.err
		busy := w.pushing
		w.mu.Unlock()
		if err != nil && !busy {
			return readError(err)
		}
		select {
		case <-w.notify:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// readError is the error a read or push reports for the socket's end.
func readError(err error) error {
	if _, ok := asCloseError(err); ok {
		return err
	}
	// socket.io-client reports any end of the WebSocket as "transport close".
	return &CloseError{Reason: ReasonTransportClose, Err: err}
}

func (w *wsTransport) signal() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (w *wsTransport) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	w.signal()
}

func (w *wsTransport) read(ctx context.Context) ([]eio.Packet, error) {
	for {
		w.mu.Lock()
		if len(w.queue) > 0 {
			p := w.queue[0]
			w.queue[0] = eio.Packet{}
			w.queue = w.queue[1:]
			if len(w.queue) > 0 {
				w.signal()
			}
			w.mu.Unlock()
			return []eio.Packet{p}, nil
		}
		err := w.err
		w.mu.Unlock()
		if err != nil {
			return nil, readError(err)
		}
		select {
		case <-w.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (w *wsTransport) batch(pkts []eio.Packet) int { return len(pkts) }

// write hands the frames to the browser (WebSocket.send never blocks).
func (w *wsTransport) write(ctx context.Context, pkts []eio.Packet) error {
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if err != nil {
		return wrap.In("websocket write", err)
	}
	var buf []byte
	for _, p := range pkts {
		var arg any
		if p.Binary {
			u8, err := newJS("Uint8Array", len(p.Data))
			if err != nil {
				return err
			}
			if _, err := safejs.CopyBytesToJS(u8, p.Data); err != nil {
				return err
			}
			arg = u8
		} else {
			buf = p.AppendText(buf[:0])
			arg = string(buf)
		}
		if _, err := w.ws.Call("send", arg); err != nil {
			return wrap.In("websocket write", err)
		}
	}
	return nil
}

// close closes with 1000 (browsers throw on most other codes) and releases
// the callbacks after detaching them.
func (w *wsTransport) close() { w.closing.Do(w.shutdown) }

// shutdown is close's work, done once (a method, not a closure in close: close
// is inlined where it is called, the closure with it).
func (w *wsTransport) shutdown() {
	w.fail(errWebSocketClosed)
	for _, prop := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		_ = w.ws.Set(prop, safejs.Null())
	}
	_, _ = w.ws.Call("close", 1000)
	for _, f := range w.funcs {
		f.Release()
	}
}
