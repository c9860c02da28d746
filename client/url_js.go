//go:build js

package client

import (
	"strconv"

	"github.com/duplexio/duplex/client/internal/weburl"
	"github.com/duplexio/duplex/internal/wrap"
)

// serverURL is what the client reads of the URL given to Connect or NewManager.
type serverURL struct {
	scheme, host, path string
	query              map[string][]string
}

// parseServerURL parses raw with the browser's URL, as socket.io-client
// does, without net/url (which client.wasm does not link: see
// client/internal/weburl). url_native.go parses with net/url.
func parseServerURL(raw string) (*serverURL, error) {
	u, err := weburl.Parse(raw)
	if err != nil {
		return nil, wrap.In("client: bad url "+strconv.Quote(raw), err)
	}
	return &serverURL{scheme: u.Scheme, host: u.Host, path: u.Path, query: u.Query}, nil
}
