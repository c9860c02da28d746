//go:build js

package engine

import (
	"strconv"

	"github.com/duplexio/duplex/client/internal/weburl"
	"github.com/duplexio/duplex/internal/wrap"
)

// baseURL is the server URL a session's requests are built from: in the
// browser its scheme and host as the browser's URL reads them (net/url is not
// linked into client.wasm: see client/internal/weburl).
type baseURL struct {
	scheme, host string
}

// endpoint builds the request URL for transport (http(s) for polling,
// ws(s) for websocket), as url_native.go does with net/url.
func endpoint(base *baseURL, o *Options, transport, sid string) string {
	scheme := endpointScheme(base.scheme, transport)
	q := endpointQuery(o, transport, sid)
	return scheme + "://" + base.host + weburl.EscapePath(o.Path) + "?" + weburl.EncodeQuery(q)
}

// parseBase checks the server URL: scheme http, https, ws or wss, and a host.
func parseBase(raw string) (*baseURL, error) {
	u, err := weburl.Parse(raw)
	if err != nil {
		return nil, wrap.In("engine: bad url "+strconv.Quote(raw), err)
	}
	if err := checkBase(raw, u.Scheme, u.Host); err != nil {
		return nil, err
	}
	return &baseURL{scheme: u.Scheme, host: u.Host}, nil
}
