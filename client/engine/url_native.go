//go:build !js

package engine

import (
	"errors"
	"net/url"
	"strconv"

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
	switch {
	case transport == WebSocket && u.Scheme == "http":
		u.Scheme = "ws"
	case transport == WebSocket && u.Scheme == "https":
		u.Scheme = "wss"
	case transport == Polling && u.Scheme == "ws":
		u.Scheme = "http"
	case transport == Polling && u.Scheme == "wss":
		u.Scheme = "https"
	}
	q := url.Values{}
	for k, v := range o.Query {
		q[k] = v
	}
	q["EIO"] = []string{"4"}
	q["transport"] = []string{transport}
	if sid != "" {
		q["sid"] = []string{sid}
	}
	if transport == Polling {
		q["t"] = []string{timestamp()}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// parseBase checks the server URL: scheme http, https, ws or wss, and a host.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, wrap.In("engine: bad url", err)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	default:
		return nil, errors.New("engine: bad url " + strconv.Quote(raw) + ": scheme must be http, https, ws or wss")
	}
	if u.Host == "" {
		return nil, errors.New("engine: bad url " + strconv.Quote(raw) + ": no host")
	}
	return u, nil
}
