//go:build !js

package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// netHTTP does polling requests with net/http, one client per session.
type netHTTP struct {
	client    *http.Client
	header    map[string][]string
	readLimit int64
}

func newHTTPDoer(o *Options) httpDoer {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &netHTTP{client: &http.Client{Transport: tr}, header: o.Header, readLimit: o.ReadLimit}
}

// do sends one request. Polling requests are not idempotent (a GET takes the
// server's queued packets: answered twice, the first answer is lost), so none
// may be re-sent once the server may have seen it: a request that fails fails
// the transport, and the client reconnects (and recovers) as socket.io-client
// does. net/http's Transport re-sends a GET by itself when its reused
// connection ends before a response byte arrives, which is exactly the case
// of a long-poll answer lost in the network; by its documented rule it does
// not re-send a request that has a body without GetBody, so a GET carries an
// empty one (noReplay; it is not sent: net/http finds it empty). A POST is
// not re-sent either, except when nothing of it was written (GetBody is set):
// then the server never saw it.
func (h *netHTTP) do(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	var rd io.Reader = noReplay{}
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range h.header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, h.readLimit+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s %s", ErrHTTPStatus, resp.Status, bytes.TrimSpace(b))
	}
	if int64(len(b)) > h.readLimit {
		return nil, fmt.Errorf("engine: polling response over %d bytes", h.readLimit)
	}
	return b, nil
}

func (h *netHTTP) closeIdle() { h.client.CloseIdleConnections() }

// noReplay is the empty body of a polling GET: a body without GetBody marks
// the request as not replayable for net/http (see netHTTP.do).
type noReplay struct{}

func (noReplay) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplay) Close() error             { return nil }
