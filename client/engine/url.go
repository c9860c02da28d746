package engine

import (
	"errors"
	"strconv"
)

// checkBase checks the scheme and host read from the server URL raw:
// http, https, ws or wss, and a host.
func checkBase(raw, scheme, host string) error {
	switch scheme {
	case "http", "https", "ws", "wss":
	default:
		return errors.New("engine: bad url " + strconv.Quote(raw) + ": scheme must be http, https, ws or wss")
	}
	if host == "" {
		return errors.New("engine: bad url " + strconv.Quote(raw) + ": no host")
	}
	return nil
}

// endpointScheme is the scheme of transport's requests to a server whose URL
// has scheme: http(s) for polling, ws(s) for websocket.
func endpointScheme(scheme, transport string) string {
	switch {
	case transport == WebSocket && scheme == "http":
		return "ws"
	case transport == WebSocket && scheme == "https":
		return "wss"
	case transport == Polling && scheme == "ws":
		return "http"
	case transport == Polling && scheme == "wss":
		return "https"
	}
	return scheme
}

// endpointQuery is the query of transport's requests: the options' query,
// then Engine.IO's parameters (EIO, transport, sid, and for polling the
// cache-busting t), which override it.
func endpointQuery(o *Options, transport, sid string) map[string][]string {
	q := make(map[string][]string, len(o.Query)+4)
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
	return q
}
