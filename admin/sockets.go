package admin

import (
	"context"
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

// adminKey is the key of Socket.Data where development mode keeps what the
// UI shows of a socket's connection, {"clientId", "transport"}, as the
// reference keeps socket.data._admin: it travels with the socket's data in a
// cluster's fetchSockets, so that an admin on another node, duplex or Node,
// shows it.
const adminKey = "_admin"

// clientID returns the id grouping the sockets of one Engine.IO session: a
// hash of the session id, which is a credential and is not shown (the
// reference shows its first 12 characters).
func clientID(sid string) string {
	sum := sha256.Sum256([]byte(sid))
	return hex.EncodeToString(sum[:6])
}

// tagConnection stores s's adminKey entry (a new map each time: values in
// Data are shared with readers).
func tagConnection(s *server.Socket, transport string) {
	es := s.Conn()
	if es == nil {
		return
	}
	if transport == "" {
		transport = es.Transport()
	}
	s.Data().Store(adminKey, map[string]any{"clientId": clientID(es.ID()), "transport": transport})
}

// serialize returns local socket s as the UI shows it.
func serialize(s *server.Socket) serializedSocket {
	out := serializeWith(s.ID(), s.Namespace().Name(), s.Handshake(), s.Rooms(), s.Data().Snapshot())
	if es := s.Conn(); es != nil { // the live values, in case the tag is behind
		out.ClientID = clientID(es.ID())
		out.Transport = es.Transport()
	}
	return out
}

// serializeRemote returns a socket of any node of the cluster, as
// FetchSockets describes it, as the UI shows it.
func serializeRemote(rs *server.RemoteSocket) serializedSocket {
	if s, ok := rs.Local(); ok {
		return serialize(s)
	}
	return serializeWith(rs.ID, rs.Namespace, rs.Handshake, rs.Rooms, maps.Clone(rs.Data))
}

// serializeWith builds the UI's view of a socket; data is the socket's data
// (owned by the call: its adminKey entry is taken out of it).
func serializeWith(id, nsp string, hs *server.Handshake, rooms []string, data map[string]any) serializedSocket {
	if hs == nil {
		hs = &server.Handshake{}
	}
	out := serializedSocket{
		ID:    id,
		Nsp:   nsp,
		Data:  json.RawMessage("{}"),
		Rooms: rooms,
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
	if tag, ok := data[adminKey].(map[string]any); ok {
		out.ClientID, _ = tag["clientId"].(string)
		out.Transport, _ = tag["transport"].(string)
	}
	delete(data, adminKey)
	delete(data, sessionKey)
	if len(data) > 0 {
		if b, err := json.Marshal(data); err == nil {
			out.Data = b
		}
	}
	return out
}

// fetchTimeout bounds the cluster's answer to all_sockets' FetchSockets.
const fetchTimeout = 5 * time.Second

// allSockets returns the sockets of every namespace of this server, on every
// node of the cluster (FetchSockets, as the reference's fetchAllSockets),
// sorted by namespace and id. A namespace whose fetch fails contributes its
// local sockets.
func (a *Admin) allSockets(ctx context.Context) []serializedSocket {
	out := []serializedSocket{}
	for _, n := range a.srv.Namespaces() {
		var part []serializedSocket
		fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		rs, err := n.FetchSockets(fctx)
		cancel()
		if err != nil {
			a.log.Warn("admin: fetch sockets", "namespace", n.Name(), "error", err)
			for _, s := range n.Sockets() {
				part = append(part, serialize(s))
			}
		} else {
			for _, r := range rs {
				part = append(part, serializeRemote(r))
			}
		}
		slices.SortFunc(part, func(x, y serializedSocket) int { return strings.Compare(x.ID, y.ID) })
		out = append(out, part...)
	}
	return out
}

// date formats t as JavaScript's Date.toJSON does.
func date(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
