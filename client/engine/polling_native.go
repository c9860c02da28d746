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

func (h *netHTTP) do(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	var rd io.Reader
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
