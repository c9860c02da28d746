//go:build !js

package client

import (
	"net/url"

	"github.com/duplexio/duplex/internal/wrap"
)

// serverURL is what the client reads of the URL given to Connect or NewManager.
type serverURL struct {
	scheme, host, path string
	query              map[string][]string
}

// parseServerURL parses raw with net/url (in the browser with the browser's
// URL: url_js.go).
func parseServerURL(raw string) (*serverURL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, wrap.In("client: bad url", err)
	}
	return &serverURL{scheme: u.Scheme, host: u.Host, path: u.Path, query: u.Query()}, nil
}
