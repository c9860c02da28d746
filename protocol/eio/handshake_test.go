package eio_test

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
)

func TestHandshake(t *testing.T) {
	h := eio.Handshake{SID: "lv_VI97HAXpY6yYWAAAC", Upgrades: []string{"websocket"}, PingInterval: 25000, PingTimeout: 20000, MaxPayload: 1000000}
	const want = `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	p := h.OpenPacket()
	if got := p.AppendText(nil); string(got) != want {
		t.Fatalf("open packet %q, want %q", got, want)
	}
	back, err := eio.ParseHandshake(p.Data)
	if err != nil || back.SID != h.SID || !slices.Equal(back.Upgrades, h.Upgrades) || back.PingInterval != 25000 || back.PingTimeout != 20000 || back.MaxPayload != 1000000 {
		t.Fatalf("ParseHandshake = %+v, %v", back, err)
	}
}

func TestHandshakeExactKeys(t *testing.T) {
	// After a WebSocket handshake upgrades is [], never null, and there are
	// exactly the five keys.
	p := eio.Handshake{SID: "x"}.OpenPacket()
	if want := `{"sid":"x","upgrades":[],"pingInterval":0,"pingTimeout":0,"maxPayload":0}`; string(p.Data) != want {
		t.Fatalf("got %s, want %s", p.Data, want)
	}
	var m map[string]any
	if err := json.Unmarshal(p.Data, &m); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(m))
	if !slices.Equal(keys, []string{"maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"}) {
		t.Fatalf("keys %v", keys)
	}
}

func TestHandshakeJSONEscaping(t *testing.T) {
	// The sid is written as JSON (not Go) quoting.
	h := eio.Handshake{SID: "a\"b\\c\x01é<", Upgrades: []string{"web\tsocket"}}
	var back eio.Handshake
	if err := json.Unmarshal(h.AppendJSON(nil), &back); err != nil {
		t.Fatalf("%s: %v", h.AppendJSON(nil), err)
	}
	if back.SID != h.SID || back.Upgrades[0] != h.Upgrades[0] {
		t.Fatalf("round trip %+v", back)
	}
}

func TestParseHandshakeInvalid(t *testing.T) {
	for _, s := range []string{"", "{", "[]", `{"sid":""}`, `{"upgrades":[]}`, `{"sid":1}`, "null"} {
		if _, err := eio.ParseHandshake([]byte(s)); !errors.Is(err, eio.ErrInvalidPacket) {
			t.Errorf("ParseHandshake(%q) = %v, want ErrInvalidPacket", s, err)
		}
	}
}

// FuzzParseHandshake compares ParseHandshake with json.Unmarshal into a
// Handshake (what it did before): the same handshakes accepted, the same values.
func FuzzParseHandshake(f *testing.F) {
	for _, s := range []string{
		`{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		`{"sid":"abc"}`, `{"SID":"a","sid":"b"}`, `{"sid":"a","upgrades":null}`, `{"sid":"a","upgrades":[null,"x"]}`,
		`{"sid":"a","upgrades":[1]}`, `{"sid":"a","pingInterval":1.0}`, `{"sid":"a","pingInterval":null}`,
		`{"sid":"a","maxPayload":9223372036854775808}`, `{"sid":null}`, `{"sid":1}`, `{"sid":"\u00e9","extra":{"a":[]}}`,
		`[]`, `"sid"`, `{"sid":"a",}`, ` {"sid":"a"} `, `{"sid":"a","upgrades":[]}`, `{"pinginterval":5,"sid":"x"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := eio.ParseHandshake([]byte(s))
		var want eio.Handshake
		werr := json.Unmarshal([]byte(s), &want)
		if werr == nil && want.SID == "" {
			werr = errors.New("no sid")
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("ParseHandshake(%q): %v; json.Unmarshal: %v", s, err, werr)
		}
		if err != nil {
			if !errors.Is(err, eio.ErrInvalidPacket) {
				t.Fatalf("ParseHandshake(%q): %v is not ErrInvalidPacket", s, err)
			}
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseHandshake(%q) = %#v; json.Unmarshal: %#v", s, got, want)
		}
	})
}
