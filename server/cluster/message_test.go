package cluster_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/duplexio/duplex/server/cluster"
)

// nodeMessages are messages as Node nodes publish them (recorded with redis-cli
// MONITOR from a sharded cluster of socket.io 4.8.4 nodes).
var nodeMessages = []string{
	`{"type":3,"data":{"packet":{"type":2,"data":["ev170",{"seq":1}]},"opts":{"rooms":[],"except":[],"flags":{}}},"uid":"e09dbfc66ceadcaf","nsp":"/"}`,
	`{"type":3,"data":{"packet":{"type":2,"data":["ping",null]},"requestId":"5daa7d658e933f72","opts":{"rooms":["red"],"except":[],"flags":{"timeout":2000}}},"uid":"e09dbfc66ceadcaf","nsp":"/"}`,
	`{"type":11,"data":{"requestId":"5daa7d658e933f72","clientCount":2},"uid":"fbcfe0c002d3ebae","nsp":"/"}`,
	`{"type":12,"data":{"requestId":"5daa7d658e933f72","packet":{"name":"ws-red-n3"}},"uid":"fbcfe0c002d3ebae","nsp":"/"}`,
	`{"type":4,"data":{"opts":{"rooms":["blue"],"except":[],"flags":{}},"rooms":["joined"]},"uid":"be4954c4913c3104","nsp":"/"}`,
	`{"type":5,"data":{"opts":{"rooms":["joined"],"except":[],"flags":{}},"rooms":["joined"]},"uid":"fbcfe0c002d3ebae","nsp":"/"}`,
	`{"type":6,"data":{"opts":{"rooms":["doomed"],"except":[],"flags":{}},"close":true},"uid":"fe1e45e8f1843a39","nsp":"/"}`,
	`{"type":7,"data":{"opts":{"rooms":["green"],"except":[],"flags":{}},"requestId":"8c11c3f547c1057a"},"uid":"fbcfe0c002d3ebae","nsp":"/"}`,
	`{"type":9,"data":{"requestId":"50d2e1c84092a7b3","packet":["hello",{"from":"n1"}]},"uid":"e09dbfc66ceadcaf","nsp":"/"}`,
	`{"type":10,"data":{"requestId":"50d2e1c84092a7b3","packet":"n2"},"uid":"be4954c4913c3104","nsp":"/"}`,
	`{"type":2,"uid":"be4954c4913c3104","nsp":"/"}`,
}

// TestMessageJSON checks that Node's messages decode into their types and
// encode back byte for byte.
func TestMessageJSON(t *testing.T) {
	for _, s := range nodeMessages {
		var m cluster.Message
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if m.Type != cluster.Heartbeat && m.Data == nil {
			t.Fatalf("%s: no data", s)
		}
		b, err := json.Marshal(&m)
		if err != nil || string(b) != s {
			t.Fatalf("round trip\n got %s (%v)\nwant %s", b, err, s)
		}
	}
}

// TestMessageMalformed checks that data of the wrong shape is an error
// matching ErrMalformed, and unknown types are ignored.
func TestMessageMalformed(t *testing.T) {
	for _, s := range []string{
		`{"type":3,"data":{"packet":{"type":2,"data":{"a":1}},"opts":{}},"uid":"u","nsp":"/"}`,
		`{"type":3,"data":"x","uid":"u","nsp":"/"}`,
		`{"type":9,"data":{"packet":"x"},"uid":"u","nsp":"/"}`,
		`{"type":11,"data":{"requestId":1},"uid":"u","nsp":"/"}`,
		`{"type":"3"}`,
		`[]`,
	} {
		var m cluster.Message
		if err := json.Unmarshal([]byte(s), &m); !errors.Is(err, cluster.ErrMalformed) {
			t.Errorf("%s: %v", s, err)
		}
	}
	var m cluster.Message
	if err := json.Unmarshal([]byte(`{"type":99,"data":[1],"uid":"u","nsp":"/"}`), &m); err != nil || m.Data != nil {
		t.Fatalf("unknown type: %v %v", m.Data, err)
	}
}

func FuzzMessage(f *testing.F) {
	for _, s := range nodeMessages {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m cluster.Message
		if err := json.Unmarshal(b, &m); err != nil {
			return
		}
		out, err := json.Marshal(&m)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", b, err)
		}
		var again cluster.Message
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", out, err)
		}
	})
}
