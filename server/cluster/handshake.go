package cluster

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/duplexio/duplex/server"
)

// nodeHandshake is a socket's handshake as socket.io (Node) builds it, key
// order included: fetchSockets ships it to Node nodes.
type nodeHandshake struct {
	Headers map[string]any  `json:"headers"`
	Time    string          `json:"time"`
	Address string          `json:"address"`
	XDomain bool            `json:"xdomain"`
	Secure  bool            `json:"secure"`
	Issued  int64           `json:"issued"`
	URL     string          `json:"url"`
	Query   map[string]any  `json:"query"`
	Auth    json.RawMessage `json:"auth"`
}

// nodeTimeLayout is JavaScript's Date.prototype.toString without the zone
// name in parentheses.
const nodeTimeLayout = "Mon Jan 02 2006 15:04:05 GMT-0700"

// NodeHandshake returns the JSON of hs as a Node socket.io server writes a
// handshake: lower-case header names, query values as strings (arrays when
// repeated), time as JavaScript's Date string, issued in milliseconds.
func NodeHandshake(hs *server.Handshake) json.RawMessage {
	if hs == nil {
		hs = &server.Handshake{}
	}
	n := nodeHandshake{
		Headers: make(map[string]any, len(hs.Headers)),
		Time:    jsDate(hs.Time),
		Address: hs.Address,
		Secure:  hs.Secure,
		Issued:  hs.Issued,
		URL:     hs.URL,
		Query:   make(map[string]any, len(hs.Query)),
		Auth:    hs.Auth,
	}
	for k, vs := range hs.Headers {
		k = strings.ToLower(k)
		switch {
		case len(vs) == 1:
			n.Headers[k] = vs[0]
		case k == "set-cookie":
			n.Headers[k] = vs
		case len(vs) > 1:
			n.Headers[k] = strings.Join(vs, ", ")
		}
	}
	if hs.Host != "" {
		n.Headers["host"] = hs.Host
	}
	n.XDomain = n.Headers["origin"] != nil
	for k, vs := range hs.Query {
		if len(vs) == 1 {
			n.Query[k] = vs[0]
		} else {
			n.Query[k] = vs
		}
	}
	if len(n.Auth) == 0 {
		n.Auth = json.RawMessage("{}")
	}
	b, err := json.Marshal(n)
	if err != nil { // Auth is not valid JSON
		n.Auth = json.RawMessage("{}")
		b, _ = json.Marshal(n)
	}
	return b
}

// jsDate writes t as JavaScript's Date.prototype.toString does.
func jsDate(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	zone, _ := t.Zone()
	if zone == "UTC" {
		zone = "Coordinated Universal Time"
	}
	return t.Format(nodeTimeLayout) + " (" + zone + ")"
}

// ParseNodeHandshake reads a handshake as Node writes it in a fetchSockets
// answer (the reverse of NodeHandshake); what does not parse is left empty.
func ParseNodeHandshake(b json.RawMessage) *server.Handshake {
	var n struct {
		Headers map[string]json.RawMessage `json:"headers"`
		Time    string                     `json:"time"`
		Address string                     `json:"address"`
		Secure  bool                       `json:"secure"`
		Issued  int64                      `json:"issued"`
		URL     string                     `json:"url"`
		Query   map[string]json.RawMessage `json:"query"`
		Auth    json.RawMessage            `json:"auth"`
	}
	hs := &server.Handshake{Headers: http.Header{}, Query: url.Values{}}
	if json.Unmarshal(b, &n) != nil {
		return hs
	}
	for k, v := range n.Headers {
		hs.Headers[http.CanonicalHeaderKey(k)] = stringOrStrings(v)
	}
	for k, v := range n.Query {
		hs.Query[k] = stringOrStrings(v)
	}
	hs.Address, hs.Secure, hs.Issued, hs.URL = n.Address, n.Secure, n.Issued, n.URL
	hs.Auth = n.Auth
	if len(hs.Auth) == 0 {
		hs.Auth = json.RawMessage("{}")
	}
	hs.Host = hs.Headers.Get("Host")
	if len(n.Time) >= len(nodeTimeLayout) {
		if t, err := time.Parse(nodeTimeLayout, n.Time[:len(nodeTimeLayout)]); err == nil {
			hs.Time = t
		}
	}
	if hs.Time.IsZero() && n.Issued > 0 {
		hs.Time = time.UnixMilli(n.Issued)
	}
	return hs
}

func stringOrStrings(v json.RawMessage) []string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return []string{s}
	}
	var ss []string
	if json.Unmarshal(v, &ss) == nil {
		return ss
	}
	return []string{string(bytes.Trim(v, `"`))}
}

// socketInfo returns the fetchSockets answer for local socket rs.
func socketInfo(rs *server.RemoteSocket) SocketInfo {
	data := json.RawMessage("{}")
	if len(rs.Data) > 0 {
		if b, err := json.Marshal(rs.Data); err == nil {
			data = b
		}
	}
	return SocketInfo{ID: rs.ID, Handshake: NodeHandshake(rs.Handshake), Rooms: nonNil(rs.Rooms), Data: data}
}

// remoteSocket returns the socket another server described.
func remoteSocket(nsp *server.Namespace, si SocketInfo) *server.RemoteSocket {
	var data map[string]any
	if len(si.Data) > 0 && si.Data[0] == '{' {
		_ = json.Unmarshal(si.Data, &data)
	}
	return server.NewRemoteSocket(nsp, si.ID, ParseNodeHandshake(si.Handshake), si.Rooms, data)
}
