package redis

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/server"
)

// jsDateLayout is JavaScript's Date.prototype.toString without the zone name.
const jsDateLayout = "Mon Jan 02 2006 15:04:05 GMT-0700"

// nodeHandshakeValue returns hs as a Node socket.io server writes a
// handshake in a fetchSockets answer, keys in Node's order: headers (lower
// case names), time (Date's toString), address, xdomain, secure, issued
// (milliseconds), url, query (an object of strings), auth.
func nodeHandshakeValue(hs *server.Handshake) *notepack.Map {
	if hs == nil {
		hs = &server.Handshake{}
	}
	headers := &notepack.Map{}
	if hs.Host != "" {
		headers.Set("host", hs.Host)
	}
	names := make([]string, 0, len(hs.Headers))
	for k := range hs.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		vs := hs.Headers[k]
		lk := strings.ToLower(k)
		switch {
		case len(vs) == 0:
		case lk == "set-cookie":
			headers.Set(lk, vs)
		case len(vs) == 1:
			headers.Set(lk, vs[0])
		default:
			headers.Set(lk, strings.Join(vs, ", "))
		}
	}
	query := &notepack.Map{}
	qnames := make([]string, 0, len(hs.Query))
	for k := range hs.Query {
		qnames = append(qnames, k)
	}
	slices.Sort(qnames)
	for _, k := range qnames {
		if vs := hs.Query[k]; len(vs) == 1 {
			query.Set(k, vs[0])
		} else if len(vs) > 1 {
			query.Set(k, vs)
		}
	}
	var auth any = &notepack.Map{}
	if len(hs.Auth) > 0 {
		if v, err := notepack.FromJSON(hs.Auth, nil); err == nil {
			auth = v
		}
	}
	t := hs.Time
	if t.IsZero() && hs.Issued > 0 {
		t = time.UnixMilli(hs.Issued)
	}
	_, xdomain := hs.Headers["Origin"]
	return notepack.NewMap(
		"headers", headers,
		"time", jsDateString(t),
		"address", hs.Address,
		"xdomain", xdomain,
		"secure", hs.Secure,
		"issued", float64(hs.Issued),
		"url", hs.URL,
		"query", query,
		"auth", auth,
	)
}

// jsDateString writes t as JavaScript's Date.prototype.toString does.
func jsDateString(t time.Time) string {
	zone, _ := t.Zone()
	if zone == "UTC" {
		zone = "Coordinated Universal Time"
	}
	return t.Format(jsDateLayout) + " (" + zone + ")"
}

// parseNodeHandshake reads a handshake from a fetchSockets answer (Node's
// shape, or ours); what does not parse stays empty.
func parseNodeHandshake(v any) *server.Handshake {
	hs := &server.Handshake{Headers: http.Header{}, Query: url.Values{}, Auth: json.RawMessage("{}")}
	m, ok := v.(*notepack.Map)
	if !ok {
		return hs
	}
	if h, ok := m.Get("headers"); ok {
		if hm, ok := h.(*notepack.Map); ok {
			for i := range hm.Len() {
				k, val := hm.At(i)
				hs.Headers[http.CanonicalHeaderKey(k)] = stringsOf(val)
			}
		}
	}
	if q, ok := m.Get("query"); ok {
		if qm, ok := q.(*notepack.Map); ok {
			for i := range qm.Len() {
				k, val := qm.At(i)
				hs.Query[k] = stringsOf(val)
			}
		}
	}
	hs.Address, _ = getString(m, "address")
	hs.URL, _ = getString(m, "url")
	if s, _ := m.Get("secure"); s == true {
		hs.Secure = true
	}
	if f, ok := getNumber(m, "issued"); ok {
		hs.Issued = int64(f)
	}
	if a, ok := m.Get("auth"); ok {
		hs.Auth = toJSON(a)
	}
	hs.Host = hs.Headers.Get("Host")
	if s, ok := getString(m, "time"); ok && len(s) >= len(jsDateLayout) {
		if t, err := time.Parse(jsDateLayout, s[:len(jsDateLayout)]); err == nil {
			hs.Time = t
		}
	}
	if hs.Time.IsZero() && hs.Issued > 0 {
		hs.Time = time.UnixMilli(hs.Issued)
	}
	return hs
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case nil, notepack.Undefined:
		return nil
	}
	return []string{string(toJSON(v))}
}
