//go:build !js

package engine

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

// wsTransport carries one packet per WebSocket frame (coder/websocket).
// Under GOOS=js the browser's WebSocket is used directly (websocket_js.go):
// coder/websocket's js build imports net/http, whose initialisation alone
// adds about 2 MB to the wasm binary.
type wsTransport struct {
	c *websocket.Conn
}

func dialWebSocket(ctx context.Context, url string, conn *Conn) (transport, error) {
	o := &conn.opts
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header(o.Header)})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(o.ReadLimit)
	return &wsTransport{c: c}, nil
}

func (w *wsTransport) name() string { return WebSocket }

func (w *wsTransport) read(ctx context.Context) ([]eio.Packet, error) {
	typ, b, err := w.c.Read(ctx)
	if err != nil {
		// socket.io-client reports any end of the WebSocket as "transport close".
		return nil, &CloseError{Reason: ReasonTransportClose, Err: err}
	}
	p, err := eio.DecodeFrame(b, typ == websocket.MessageBinary)
	if err != nil {
		return nil, &CloseError{Reason: ReasonParseError, Err: err}
	}
	return []eio.Packet{p}, nil
}

func (w *wsTransport) batch(pkts []eio.Packet) int { return len(pkts) }

func (w *wsTransport) write(ctx context.Context, pkts []eio.Packet) error {
	var buf []byte
	for _, p := range pkts {
		if p.Binary {
			if err := w.c.Write(ctx, websocket.MessageBinary, p.Data); err != nil {
				return fmt.Errorf("websocket write: %w", err)
			}
			continue
		}
		buf = p.AppendText(buf[:0])
		if err := w.c.Write(ctx, websocket.MessageText, buf); err != nil {
			return fmt.Errorf("websocket write: %w", err)
		}
	}
	return nil
}

func (w *wsTransport) close() {
	_ = w.c.Close(websocket.StatusNormalClosure, "")
}
