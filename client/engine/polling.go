package engine

import (
	"context"

	"github.com/duplexio/duplex/internal/wrap"
	"github.com/duplexio/duplex/protocol/eio"
)

// httpDoer performs one polling request; implemented with net/http natively
// and with fetch under GOOS=js.
type httpDoer interface {
	do(ctx context.Context, method, url string, body []byte) ([]byte, error)
	closeIdle()
}

// polling is the HTTP long-polling transport of one session.
type polling struct {
	http       httpDoer
	base       *baseURL
	opts       *Options
	sid        string
	maxPayload int
}

func (p *polling) name() string { return Polling }

func (p *polling) url() string { return endpoint(p.base, p.opts, Polling, p.sid) }

func (p *polling) read(ctx context.Context) ([]eio.Packet, error) {
	body, err := p.http.do(ctx, "GET", p.url(), nil)
	if err != nil {
		return nil, err
	}
	return decodePayload(body)
}

func decodePayload(body []byte) ([]eio.Packet, error) {
	var pkts []eio.Packet
	err := eio.DecodePayload(body, 0, func(pk eio.Packet) error {
		pkts = append(pkts, pk)
		return nil
	})
	if err != nil {
		return nil, &CloseError{Reason: ReasonParseError, Err: err}
	}
	return pkts, nil
}

// batch takes packets while the payload stays within the server's maxPayload
// (engine.io-client's rule), at least one.
func (p *polling) batch(pkts []eio.Packet) int {
	if p.maxPayload <= 0 {
		return len(pkts)
	}
	size := 0
	for i, pk := range pkts {
		size += pk.TextLen()
		if i > 0 {
			size++
			if size > p.maxPayload {
				return i
			}
		}
	}
	return len(pkts)
}

func (p *polling) write(ctx context.Context, pkts []eio.Packet) error {
	body := eio.AppendPayload(make([]byte, 0, eio.PayloadLen(pkts...)), pkts...)
	if _, err := p.http.do(ctx, "POST", p.url(), body); err != nil {
		return wrap.In("polling write", err)
	}
	return nil
}

func (p *polling) close() { p.http.closeIdle() }
