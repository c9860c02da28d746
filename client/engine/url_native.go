//go:build !js

package engine

import (
	"net/url"

	"github.com/duplexio/duplex/internal/wrap"
)

// baseURL is the server URL a session's requests are built from (see
// url_js.go for the browser's).
type baseURL = url.URL

// endpoint builds the request URL for transport (http(s) for polling, ws(s) for websocket).
func endpoint(base *url.URL, o *Options, transport, sid string) string {
	u := *base
	u.Path = o.Path
	u.RawPath = ""
	u.Scheme = endpointScheme(u.Scheme, transport)
	q := url.Values(endpointQuery(o, transport, sid))
	u.RawQuery = q.Encode()
	return u.String()
}

// parseBase checks the server URL: scheme http, https, ws or wss, and a host.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, wrap.In("engine: bad url", err)
	}
	if err := checkBase(raw, u.Scheme, u.Host); err != nil {
		return nil, err
	}
	return u, nil
}
