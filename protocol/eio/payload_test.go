package eio_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
)

// Polling payloads of docs/protocol.md §1.4 and 2.2.
var payloadCases = []struct {
	wire string
	pkts []eio.Packet
}{
	{"4hello", []eio.Packet{eio.TextMessage([]byte("hello"))}},
	{"42[\"hey\",\"Jude\"]\x1e2", []eio.Packet{eio.TextMessage([]byte(`2["hey","Jude"]`)), eio.PingPacket}},
	{"4hello\x1ebAQIDBA==", []eio.Packet{eio.TextMessage([]byte("hello")), eio.BinaryMessage([]byte{1, 2, 3, 4})}},
	{"452-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]\x1ebAQI=\x1ebAwQ=", []eio.Packet{
		eio.TextMessage([]byte(`52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)),
		eio.BinaryMessage([]byte{1, 2}), eio.BinaryMessage([]byte{3, 4}),
	}},
	{"6\x1e1", []eio.Packet{eio.NoopPacket, eio.ClosePacket}},
	{"42[\"a\\u001eb\"]\x1e3", []eio.Packet{eio.TextMessage([]byte(`2["a\u001eb"]`)), eio.PongPacket}},
	{"4\x1e4", []eio.Packet{{Type: eio.Message}, {Type: eio.Message}}},
}

func TestPayload(t *testing.T) {
	for _, c := range payloadCases {
		if got := eio.AppendPayload(nil, c.pkts...); string(got) != c.wire {
			t.Errorf("AppendPayload = %q, want %q", got, c.wire)
		}
		if n := eio.PayloadLen(c.pkts...); n != len(c.wire) {
			t.Errorf("PayloadLen = %d, want %d", n, len(c.wire))
		}
		var got []eio.Packet
		err := eio.DecodePayload([]byte(c.wire), 0, func(p eio.Packet) error {
			got = append(got, p)
			return nil
		})
		if err != nil {
			t.Errorf("DecodePayload(%q): %v", c.wire, err)
			continue
		}
		if len(got) != len(c.pkts) {
			t.Errorf("DecodePayload(%q): %d packets, want %d", c.wire, len(got), len(c.pkts))
			continue
		}
		for i := range got {
			if !samePacket(got[i], c.pkts[i]) {
				t.Errorf("DecodePayload(%q)[%d] = %+v, want %+v", c.wire, i, got[i], c.pkts[i])
			}
		}
	}
}

func TestPayloadInvalid(t *testing.T) {
	for _, s := range []string{"", "\x1e", "4a\x1e", "\x1e4a", "4a\x1e\x1e4b", "4a\x1ex", "4a\x1eb!"} {
		n := 0
		err := eio.DecodePayload([]byte(s), 0, func(eio.Packet) error { n++; return nil })
		if !errors.Is(err, eio.ErrInvalidPacket) {
			t.Errorf("DecodePayload(%q) = %v, want ErrInvalidPacket", s, err)
		}
		// Like the reference, packets before the bad record are delivered.
		if want := strings.Count(strings.SplitN(s, "\x1e\x1e", 2)[0], "4"); n > want {
			t.Errorf("DecodePayload(%q) delivered %d packets", s, n)
		}
	}
}

func TestPayloadTooLarge(t *testing.T) {
	body := []byte("4" + strings.Repeat("x", 99))
	called := false
	err := eio.DecodePayload(body, 99, func(eio.Packet) error { called = true; return nil })
	if !errors.Is(err, eio.ErrPayloadTooLarge) || called {
		t.Fatalf("over the limit: %v (called %v)", err, called)
	}
	if err := eio.DecodePayload(body, 100, func(eio.Packet) error { return nil }); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}

func TestPayloadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := eio.DecodePayload([]byte("4a\x1e4b\x1e4c"), 0, func(eio.Packet) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("err %v after %d packets", err, n)
	}
}
