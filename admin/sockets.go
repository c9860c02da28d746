package admin

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/duplexio/duplex/server"
)

// serializedSocket is a socket as the UI shows it (the reference's
// serialize()).
type serializedSocket struct {
	ID        string          `json:"id"`
	ClientID  string          `json:"clientId"`
	Transport string          `json:"transport"`
	Nsp       string          `json:"nsp"`
	Data      json.RawMessage `json:"data"`
	Handshake handshake       `json:"handshake"`
	Rooms     []string        `json:"rooms"`
}

type handshake struct {
	Address string            `json:"address"`
	Headers map[string]string `json:"headers"`
	Query   map[string]string `json:"query"`
	Issued  int64             `json:"issued"`
	Secure  bool              `json:"secure"`
	Time    string            `json:"time"`
	URL     string            `json:"url"`
	XDomain bool              `json:"xdomain"`
}

// serialize returns s as the UI shows it. The clientId groups the sockets of
// one connection: a hash of the Engine.IO session id, which is a credential
// and is not shown (the reference shows its first 12 characters).
func serialize(s *server.Socket) serializedSocket {
	hs := s.Handshake()
	out := serializedSocket{
		ID:    s.ID(),
		Nsp:   s.Namespace().Name(),
		Data:  json.RawMessage("{}"),
		Rooms: s.Rooms(),
		Handshake: handshake{
			Address: hs.Address,
			Headers: make(map[string]string, len(hs.Headers)),
			Query:   make(map[string]string, len(hs.Query)),
			Issued:  hs.Issued,
			Secure:  hs.Secure,
			Time:    hs.Time.Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"),
			URL:     hs.URL,
			XDomain: hs.Headers.Get("Origin") != "",
		},
	}
	if out.Rooms == nil {
		out.Rooms = []string{}
	}
	if es := s.Conn(); es != nil {
		sum := sha256.Sum256([]byte(es.ID()))
		out.ClientID = hex.EncodeToString(sum[:6])
		out.Transport = es.Transport()
	}
	for k, v := range hs.Headers {
		out.Handshake.Headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	for k, v := range hs.Query {
		if len(v) > 0 {
			out.Handshake.Query[k] = v[0]
		}
	}
	for _, h := range []string{"cf-connecting-ip", "x-forwarded-for"} {
		if v := out.Handshake.Headers[h]; v != "" {
			out.Handshake.Address = v
			break
		}
	}
	if d := s.Data().Snapshot(); len(d) > 0 {
		delete(d, sessionKey)
		if b, err := json.Marshal(d); err == nil {
			out.Data = b
		}
	}
	return out
}

// allSockets returns every socket of every namespace, sorted by namespace.
func (a *Admin) allSockets() []serializedSocket {
	out := []serializedSocket{}
	for _, n := range a.srv.Namespaces() {
		socks := n.Sockets()
		slices.SortFunc(socks, func(x, y *server.Socket) int { return strings.Compare(x.ID(), y.ID()) })
		for _, s := range socks {
			out = append(out, serialize(s))
		}
	}
	return out
}

// date formats t as JavaScript's Date.toJSON does.
func date(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
