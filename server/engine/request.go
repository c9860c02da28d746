package engine

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// RequestInfo is what a session keeps of its handshake request: no
// *http.Request, and the header fields and query in one compact string each
// (a few hundred bytes), turned into maps only when asked for.
type RequestInfo struct {
	RemoteAddr string
	Host       string
	URL        string // request URI of the handshake (path and query)
	Secure     bool   // TLS
	Time       time.Time

	header string // "Key: value\n" per field value, keys canonical and sorted
}

// newRequestInfo copies what a session keeps of its handshake request. The
// query is kept as part of URL.
func newRequestInfo(r *http.Request) *RequestInfo {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	return &RequestInfo{
		RemoteAddr: r.RemoteAddr,
		Host:       r.Host,
		URL:        uri,
		Secure:     r.TLS != nil,
		Time:       time.Now(),
		header:     compactHeader(r.Header),
	}
}

// compactHeader writes h as lines "Key: value\n" (net/http has already
// refused CR and LF in names and values), keys sorted.
func compactHeader(h http.Header) string {
	n := 0
	keys := make([]string, 0, len(h))
	for k, vs := range h {
		keys = append(keys, k)
		for _, v := range vs {
			n += len(k) + len(v) + 3
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Header returns the handshake request's header fields: a new map on each
// call, which the caller owns.
func (r *RequestInfo) Header() http.Header {
	h := make(http.Header, strings.Count(r.header, "\n"))
	for line := range strings.SplitSeq(r.header, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok {
			h[k] = append(h[k], v)
		}
	}
	return h
}

// Query returns the handshake request's query parameters: a new map on each
// call, which the caller owns.
func (r *RequestInfo) Query() url.Values {
	_, raw, _ := strings.Cut(r.URL, "?")
	q, _ := url.ParseQuery(raw) // what parses is kept, as net/http's Request.URL.Query
	return q
}
