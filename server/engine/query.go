package engine

import (
	"net/url"
	"strings"
)

// queryValue returns the first value of key in the raw query string rq, as
// url.ParseQuery(rq).Get(key) would, without building the map: a polling
// request is served from three parameters, and parsing its whole query
// into a url.Values was an eighth of the bytes allocated per polling round
// trip (bench pecho profile).
func queryValue(rq, key string) string {
	for rq != "" {
		var pair string
		pair, rq, _ = strings.Cut(rq, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue // as ParseQuery: a pair with a semicolon is invalid
		}
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			if !strings.ContainsAny(k, "%+") {
				continue
			}
			uk, err := url.QueryUnescape(k)
			if err != nil || uk != key {
				continue
			}
		}
		if !strings.ContainsAny(v, "%+") {
			return v
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			continue // ParseQuery drops the pair
		}
		return uv
	}
	return ""
}

// requestQuery is what ServeHTTP reads of a request's query.
type requestQuery struct {
	eio, transport, sid string
}

// parseRequestQuery returns the first values of EIO, transport and sid in
// the raw query rq, as queryValue returns each, in one pass over a query
// with nothing to unescape (the common case: what engine.io-client sends).
func parseRequestQuery(rq string) requestQuery {
	// Three IndexByte scans (vectorized) cost less than one ContainsAny
	// (a byte-set lookup per byte).
	if strings.IndexByte(rq, '%') >= 0 || strings.IndexByte(rq, '+') >= 0 || strings.IndexByte(rq, ';') >= 0 {
		return requestQuery{queryValue(rq, "EIO"), queryValue(rq, "transport"), queryValue(rq, "sid")}
	}
	var q requestQuery
	var seenEIO, seenTransport, seenSID bool
	for rq != "" {
		var pair string
		pair, rq, _ = strings.Cut(rq, "&")
		k, v, _ := strings.Cut(pair, "=")
		switch {
		case k == "EIO" && !seenEIO:
			q.eio, seenEIO = v, true
		case k == "transport" && !seenTransport:
			q.transport, seenTransport = v, true
		case k == "sid" && !seenSID:
			q.sid, seenSID = v, true
		}
	}
	return q
}
