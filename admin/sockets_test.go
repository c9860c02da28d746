//go:build !js

package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/duplexio/duplex/server"
)

// TestSerializeRemote: a socket of another node, as FetchSockets describes
// it, is shown with the connection details its node keeps in data._admin
// (the shape of the reference's socket.data._admin), and without that key
// or the admin's session key in its data.
func TestSerializeRemote(t *testing.T) {
	srv := server.New(nil)
	defer srv.Close(context.Background())
	hs := &server.Handshake{
		Headers: http.Header{"X-Forwarded-For": {"10.0.0.7"}, "Origin": {"http://x"}},
		Address: "127.0.0.1",
		Time:    time.Unix(1700000000, 0),
		Issued:  1700000000000,
	}
	data := map[string]any{
		adminKey:   map[string]any{"clientId": "abcdef123456", "transport": "polling"},
		sessionKey: "secret",
		"name":     "ada",
	}
	rs := server.NewRemoteSocket(srv.Of("/"), "sid1", hs, []string{"sid1", "vip"}, data)
	got := serializeRemote(rs)
	if got.ID != "sid1" || got.Nsp != "/" || got.ClientID != "abcdef123456" || got.Transport != "polling" {
		t.Errorf("serialized %+v", got)
	}
	if string(got.Data) != `{"name":"ada"}` {
		t.Errorf("data %s, want only the application's", got.Data)
	}
	if got.Handshake.Address != "10.0.0.7" || !got.Handshake.XDomain || len(got.Rooms) != 2 {
		t.Errorf("handshake %+v rooms %v", got.Handshake, got.Rooms)
	}
	if _, ok := data[adminKey]; !ok {
		t.Error("serializeRemote changed the RemoteSocket's data")
	}
	// A socket whose node has no admin (no _admin) still shows.
	plain := serializeRemote(server.NewRemoteSocket(srv.Of("/"), "sid2", nil, nil, nil))
	if b, _ := json.Marshal(plain); plain.Transport != "" || string(plain.Data) != "{}" || plain.Rooms == nil {
		t.Errorf("plain remote socket: %s", b)
	}
}
