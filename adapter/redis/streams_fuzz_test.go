//go:build !js

package redis

import (
	"encoding/json"
	"testing"

	"github.com/duplexio/duplex/server"
)

// Seeds: what Node nodes wrote (redis-cli MONITOR of a streams cluster).
var (
	seedEntryData = []string{
		`{"packet":{"type":2,"data":["ev2",{"check":"bcast to red from n1","seq":2}]},"opts":{"rooms":["red"],"except":[],"flags":{}}}`,
		"gqZwYWNrZXSCpHR5cGUCpGRhdGGSpGV2MTLEBAABAv+kb3B0c4OlbWVzc2FnZZClZXhjZXB0kKVmbGFnc4A=",
		`{"opts":{"rooms":["blue"],"except":[],"flags":{}},"rooms":["joined"]}`,
		`{"opts":{"rooms":["doomed"],"except":[],"flags":{}},"close":true}`,
	}
	seedPubSub = []string{
		"\x84\xa4type\x0b\xa4data\x82\xa9requestId\xb074fdb8c7fed43948\xabclientCount\x02\xa3uid\xb005e5c79965845e55\xa3nsp\xa1/",
		"\x84\xa4type\x0c\xa4data\x82\xa9requestId\xb074fdb8c7fed43948\xa6packet\x81\xa4name\xa9ws-red-n3\xa3uid\xb005e5c79965845e55\xa3nsp\xa1/",
		"\x84\xa4type\t\xa4data\x82\xa9requestId\xb0c52dd587828dc073\xa6packet\x92\xa5hello\x81\xa4from\xa2n1\xa3uid\xb0fe1e45e8f1843a39\xa3nsp\xa1/",
		`{"type":3,"data":{"packet":{"type":2,"data":["ev170",{}]},"opts":{"rooms":[],"except":[],"flags":{}}},"uid":"e09dbfc66ceadcaf","nsp":"/"}`,
	}
)

// FuzzDecodeEntry feeds stream entries to the streams decoder: an error or a
// message, never a panic; a decoded message encodes again.
func FuzzDecodeEntry(f *testing.F) {
	for i, d := range seedEntryData {
		f.Add([]string{"3", "3", "4", "6"}[i], d)
	}
	f.Fuzz(func(t *testing.T, typ, data string) {
		m, err := decodeEntry(StreamEntry{ID: "1-0", Fields: map[string]string{"uid": "u", "nsp": "/", "type": typ, "data": data}})
		if err != nil {
			return
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("decoded but cannot encode: %v", err)
		}
		if m.Binary() {
			if _, err := marshalMsgpack(m, m.Attachments()); err != nil {
				t.Fatalf("decoded binary but cannot encode msgpack: %v", err)
			}
		}
	})
}

// FuzzDecodeClusterMessage feeds pub/sub payloads (msgpack or JSON) to the
// decoder of the streams and sharded modes.
func FuzzDecodeClusterMessage(f *testing.F) {
	for _, s := range seedPubSub {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeClusterMessage(b)
		if err != nil {
			return
		}
		out, err := marshalMsgpack(m, m.Attachments())
		if err != nil {
			t.Fatalf("decoded but cannot encode: %v", err)
		}
		if _, err := decodeClusterMessage(out); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
	})
}

// FuzzDecodeSession feeds session keys' values to the session decoder.
func FuzzDecodeSession(f *testing.F) {
	d := new(server.Data)
	d.Store("name", "rec")
	v, _ := encodeSession(&server.SessionState{SID: "px9IWDaB5YJx9RjSAAAI", PID: "dDGqjsuwrlG4VUKoAAAJ", Rooms: []string{"rec"}, Data: d})
	f.Add([]byte(v))
	f.Add([]byte("hKNzaWS0cHg5SVdEYUI1WUp4OVJqU0FBQUmjcGlk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeSession(b)
		if err != nil {
			return
		}
		if _, err := encodeSession(st); err != nil {
			t.Fatalf("decoded but cannot encode: %v", err)
		}
	})
}

// TestSessionNodeFormat checks the session value against one written by a
// Node streams node.
func TestSessionNodeFormat(t *testing.T) {
	// What a Node streams node writes for the session of a recorded run:
	// base64 of @msgpack/msgpack 2.8's encode({sid, pid, rooms, data}).
	const node = "hKNzaWS0cHg5SVdEYUI1WUp4OVJqU0FBQUmjcGlktGRER3Fqc3V3cmxHNFZVS29BQUFKpXJvb21zkrRweDlJV0RhQjVZSng5UmpTQUFBSaNyZWOkZGF0YYKkbmFtZa5yZWMtd3Mtc2lndGVybaRub2Rlom4x"
	st, err := decodeSession([]byte(node))
	if err != nil {
		t.Fatal(err)
	}
	name, _ := st.Data.Load("name")
	if st.SID != "px9IWDaB5YJx9RjSAAAI" || st.PID != "dDGqjsuwrlG4VUKoAAAJ" || len(st.Rooms) != 2 || st.Rooms[1] != "rec" || name != "rec-ws-sigterm" {
		t.Fatalf("decoded %+v, name %v", st, name)
	}
	v, err := encodeSession(st)
	if err != nil {
		t.Fatal(err)
	}
	if v != node {
		t.Fatalf("encoded\n %s\nwant (byte for byte what Node writes)\n %s", v, node)
	}
}
