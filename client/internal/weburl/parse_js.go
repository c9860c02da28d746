//go:build js

package weburl

import (
	"errors"
	"strings"

	"github.com/hack-pad/safejs"
)

// URL is the parts of an absolute URL the client uses.
type URL struct {
	Scheme string              // lower case, without the colon
	Host   string              // host and port (not a scheme's default port), as the browser writes it
	Path   string              // decoded path ("/" for http(s) and ws(s) URLs without one)
	Query  map[string][]string // decoded query parameters, values in order
}

var errNoURL = errors.New("the JavaScript environment has no URL")

// Parse parses raw with the browser's URL (WHATWG URL parsing, what
// socket.io-client relies on). Its error is the message of what the URL
// constructor threw (an invalid or relative URL).
func Parse(raw string) (*URL, error) {
	ctor, err := safejs.Global().Get("URL")
	if err != nil {
		return nil, err
	}
	if ctor.Type() != safejs.TypeFunction {
		return nil, errNoURL
	}
	u, err := ctor.New(raw)
	if err != nil {
		return nil, err
	}
	protocol, err := stringProp(u, "protocol")
	if err != nil {
		return nil, err
	}
	host, err := stringProp(u, "host")
	if err != nil {
		return nil, err
	}
	path, err := stringProp(u, "pathname")
	if err != nil {
		return nil, err
	}
	query, err := queryOf(u)
	if err != nil {
		return nil, err
	}
	return &URL{Scheme: strings.TrimSuffix(protocol, ":"), Host: host, Path: Unescape(path), Query: query}, nil
}

func stringProp(v safejs.Value, name string) (string, error) {
	p, err := v.Get(name)
	if err != nil {
		return "", err
	}
	return p.String()
}

// queryOf collects u.searchParams: Array.from gives its [key, value] pairs in order.
func queryOf(u safejs.Value) (map[string][]string, error) {
	sp, err := u.Get("searchParams")
	if err != nil {
		return nil, err
	}
	array, err := safejs.Global().Get("Array")
	if err != nil {
		return nil, err
	}
	pairs, err := array.Call("from", sp)
	if err != nil {
		return nil, err
	}
	n, err := pairs.Length()
	if err != nil {
		return nil, err
	}
	q := make(map[string][]string, n)
	for i := range n {
		pair, err := pairs.Index(i)
		if err != nil {
			return nil, err
		}
		k, err := indexString(pair, 0)
		if err != nil {
			return nil, err
		}
		v, err := indexString(pair, 1)
		if err != nil {
			return nil, err
		}
		q[k] = append(q[k], v)
	}
	return q, nil
}

func indexString(v safejs.Value, i int) (string, error) {
	e, err := v.Index(i)
	if err != nil {
		return "", err
	}
	return e.String()
}
