//go:build js

package engine

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/duplexio/duplex/client/internal/safejs"
	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
)

// wsTransport is the browser's WebSocket, used through safejs (not
// coder/websocket, whose js build links net/http's initialisation: ~2 MB).
// Its event callbacks never block: they queue and signal.
type wsTransport struct {
	ws        safejs.Value
	readLimit int64
	funcs     []safejs.Func

	mu      sync.Mutex
	queue   []eio.Packet
	err     error         // set when the socket closed or failed
	notify  chan struct{} // cap 1: something was queued or the socket ended
	opened  chan struct{} // closed by the open event
	closing sync.Once
}

var errWebSocketClosed = errors.New("websocket closed")

func dialWebSocket(ctx context.Context, url string, o *Options) (transport, error) {
	ctor, err := safejs.Global().Get("WebSocket")
	if err != nil || ctor.IsUndefined() {
		return nil, errors.New("engine: WebSocket is not available")
	}
	ws, err := ctor.New(url)
	if err != nil {
		return nil, wrap.In("engine: websocket", err)
	}
	w := &wsTransport{ws: ws, readLimit: o.ReadLimit, notify: make(chan struct{}, 1), opened: make(chan struct{})}
	if err := ws.Set("binaryType", "arraybuffer"); err != nil {
		w.close()
		return nil, err
	}
	var openOnce sync.Once
	handlers := map[string]func(args []safejs.Value){
		"onopen": func([]safejs.Value) { openOnce.Do(func() { close(w.opened) }) },
		"onmessage": func(args []safejs.Value) {
			if len(args) > 0 {
				w.onMessage(args[0])
			}
		},
		"onerror": func([]safejs.Value) { w.fail(errors.New("websocket error")) },
		"onclose": func([]safejs.Value) { w.fail(errWebSocketClosed) },
	}
	for prop, h := range handlers {
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

// onMessage runs in a JS callback: copy, queue, signal; never block.
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
	w.mu.Lock()
	w.queue = append(w.queue, p)
	w.mu.Unlock()
	w.signal()
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
			if _, ok := asCloseError(err); ok {
				return nil, err
			}
			// socket.io-client reports any end of the WebSocket as "transport close".
			return nil, &CloseError{Reason: ReasonTransportClose, Err: err}
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
func (w *wsTransport) close() {
	w.closing.Do(func() {
		w.fail(errWebSocketClosed)
		for _, prop := range []string{"onopen", "onmessage", "onerror", "onclose"} {
			_ = w.ws.Set(prop, safejs.Null())
		}
		_, _ = w.ws.Call("close", 1000)
		for _, f := range w.funcs {
			f.Release()
		}
	})
}
