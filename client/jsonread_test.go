package client

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

var connectDataSeeds = []string{
	`{"message":"not authorized","data":{"code":1}}`, `"Not authorized"`, `{"message":5,"data":1}`,
	`{"message":null,"data":null}`, `{"MESSAGE":"a","Data":[1]}`, `{}`, ``, `[1]`, `{"message":"a","message":"b"}`,
	`{"sid":"abc","pid":"def"}`, `{"SID":"x","pid":7}`, `{"sid":null}`, `"\u00e9"`, `{"data":"x"}`,
}

// FuzzParseConnectError compares parseConnectError with what the client did
// with encoding/json.
func FuzzParseConnectError(f *testing.F) {
	for _, s := range connectDataSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		want := &ConnectError{}
		var obj struct {
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		if json.Unmarshal(data, &obj) == nil {
			want.Message, want.Data = obj.Message, obj.Data
		} else {
			_ = json.Unmarshal(data, &want.Message)
		}
		if got := parseConnectError(data); !reflect.DeepEqual(got, want) {
			t.Fatalf("parseConnectError(%q) = %#v; with encoding/json %#v", s, got, want)
		}
	})
}

// FuzzConnectReply compares the reading of a CONNECT reply's sid and pid
// with json.Unmarshal's.
func FuzzConnectReply(f *testing.F) {
	for _, s := range connectDataSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want struct {
			SID string `json:"sid"`
			PID string `json:"pid"`
		}
		_ = json.Unmarshal([]byte(s), &want)
		sid, pid := connectReply([]byte(s))
		if sid != want.SID || pid != want.PID {
			t.Fatalf("connectReply(%q) = %q, %q; json.Unmarshal %q, %q", s, sid, pid, want.SID, want.PID)
		}
	})
}

// FuzzConnectPayload compares connectPayload with the encoding/json version
// it replaced: the same JSON value (keys sorted either way).
func FuzzConnectPayload(f *testing.F) {
	f.Add(`{"token":"abc"}`, "pid1", "off-1")
	f.Add(`{"pid":"mine","offset":"o"}`, "pid1", "")
	f.Add(`{}`, "p<&>", "\u2028")
	f.Add(`{"a":{"b":[1,2]},"a":3}`, "p", "o")
	f.Fuzz(func(t *testing.T, auth, pid, offset string) {
		if !json.Valid([]byte(auth)) || pid == "" {
			return
		}
		got, gerr := connectPayload(&anyEncoder, json.RawMessage(auth), pid, offset)
		want, werr := oldConnectPayload(json.RawMessage(auth), pid, offset)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("connectPayload(%q): %v; before: %v", auth, gerr, werr)
		}
		if gerr != nil {
			return
		}
		var g, w any
		if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil || !reflect.DeepEqual(g, w) {
			t.Fatalf("connectPayload(%q, %q, %q) = %s; before %s", auth, pid, offset, got, want)
		}
	})
}

func oldConnectPayload(auth any, pid, offset string) (json.RawMessage, error) {
	args, _, err := sio.MarshalArgs(auth)
	if err != nil {
		return nil, err
	}
	raw := args[1 : len(args)-1]
	if bytes.Equal(raw, []byte("null")) {
		raw = nil
	} else if raw[0] != '{' {
		return nil, errAuthNotObject
	}
	obj := map[string]json.RawMessage{}
	if raw != nil {
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, err
		}
	}
	if _, ok := obj["pid"]; !ok {
		obj["pid"], _ = json.Marshal(pid)
	}
	if _, ok := obj["offset"]; !ok && offset != "" {
		obj["offset"], _ = json.Marshal(offset)
	}
	b, _, err := sio.MarshalArgs(obj)
	if err != nil {
		return nil, err
	}
	return b[1 : len(b)-1], nil
}
