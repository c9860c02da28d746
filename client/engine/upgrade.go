package engine

import (
	"time"

	"github.com/duplexio/duplex/internal/timeout"
	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
)

// upgradeTimeout bounds the probe (the server's own upgradeTimeout is 10 s).
const upgradeTimeout = 10 * time.Second

// upgrade moves a polling session to websocket (docs/protocol.md §1.7): probe the
// new socket with 2probe/3probe, pause polling (no new requests, wait for the
// in-flight ones, the server releases the GET with a noop), send 5, switch.
// On failure the session stays on polling.
func (c *Conn) upgrade() {
	defer c.wg.Done()
	err := c.tryUpgrade()
	c.mu.Lock()
	c.upgrading = false
	if c.pausing { // failed after pausing: resume polling
		c.pausing = false
	}
	c.notifyLocked()
	c.mu.Unlock()
	if err != nil && c.ctx.Err() == nil {
		c.log.Debug("engine: upgrade failed, staying on polling", "sid", c.hs.SID, "err", err)
	}
}

func (c *Conn) tryUpgrade() error {
	ctx, cancel := timeout.Context(c.ctx, upgradeTimeout)
	defer cancel()
	ws, err := dialWebSocket(ctx, endpoint(c.base, &c.opts, WebSocket, c.hs.SID), c)
	if err != nil {
		return upgradeErr(err)
	}
	ok := false
	defer func() {
		if !ok {
			ws.close()
		}
	}()
	if err := ws.write(ctx, []eio.Packet{{Type: eio.Ping, Data: []byte(eio.Probe)}}); err != nil {
		return upgradeErr(err)
	}
	pkts, err := ws.read(ctx)
	if err != nil {
		return upgradeErr(err)
	}
	if len(pkts) != 1 || pkts[0].Type != eio.Pong || !pkts[0].IsProbe() {
		return wrap.With(ErrUpgrade, "unexpected probe answer")
	}
	// Pause polling and wait until no GET or POST is in flight.
	c.mu.Lock()
	if c.closing || c.err != nil {
		c.mu.Unlock()
		return ErrClosed
	}
	c.pausing = true
	c.notifyLocked()
	for {
		if c.err != nil || c.closing { // Close's close packet goes over polling
			c.mu.Unlock()
			return ErrClosed
		}
		if c.readerPaused && !c.writing {
			break
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return wrap.New(ErrUpgrade.Error()+": polling did not pause: "+timeout.Err(ctx).Error(), ErrUpgrade, timeout.Err(ctx))
		}
		c.mu.Lock()
	}
	c.mu.Unlock()
	if err := ws.write(ctx, []eio.Packet{eio.UpgradePacket}); err != nil {
		return upgradeErr(err)
	}
	c.mu.Lock()
	old := c.tr
	if c.err != nil {
		c.mu.Unlock()
		return ErrClosed
	}
	c.tr = ws
	c.pausing = false
	if p, ok := old.(*polling); ok && !c.closing {
		c.unconfirmed = p
	}
	if c.closing {
		// Closed since polling paused: the server has switched to the
		// websocket, whose closing ends the session; a close packet is a
		// polling packet.
		// As slices.DeleteFunc, whose instantiation for this one caller is
		// ~1.3 KB of client.wasm.
		kept := c.queue[:0]
		for _, p := range c.queue {
			if p.Type != eio.Close {
				kept = append(kept, p)
			}
		}
		clear(c.queue[len(kept):])
		c.queue = kept
	}
	c.notifyLocked()
	c.mu.Unlock()
	ok = true
	old.close() // idle connections only: finalPoll may still use it
	c.log.Debug("engine: upgraded to websocket", "sid", c.hs.SID)
	return nil
}

// upgradeErr is err as the reason tryUpgrade failed.
func upgradeErr(err error) error {
	return wrap.New(ErrUpgrade.Error()+": "+err.Error(), ErrUpgrade, err)
}
