package eio_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
)

// The packets of docs/protocol.md §1.2, in both directions.
var textCases = []struct {
	wire string
	pkt  eio.Packet
}{
	{"0" + `{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		eio.Packet{Type: eio.Open, Data: []byte(`{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)}},
	{"1", eio.ClosePacket},
	{"2", eio.PingPacket},
	{"2probe", eio.Packet{Type: eio.Ping, Data: []byte("probe")}},
	{"3", eio.PongPacket},
	{"3probe", eio.Packet{Type: eio.Pong, Data: []byte("probe")}},
	{"4hello", eio.TextMessage([]byte("hello"))},
	{"4", eio.Packet{Type: eio.Message}},
	{"4€ \x00é", eio.TextMessage([]byte("€ \x00é"))},
	{`42["hey","Jude"]`, eio.TextMessage([]byte(`2["hey","Jude"]`))},
	{"5", eio.UpgradePacket},
	{"6", eio.NoopPacket},
	{"bAQIDBA==", eio.BinaryMessage([]byte{1, 2, 3, 4})},
	{"b", eio.BinaryMessage([]byte{})},
	{"bAA==", eio.BinaryMessage([]byte{0})},
	{"b/w==", eio.BinaryMessage([]byte{0xff})},
}

func samePacket(a, b eio.Packet) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data)
}

func TestPacketText(t *testing.T) {
	for _, c := range textCases {
		got, err := eio.DecodeText([]byte(c.wire))
		if err != nil {
			t.Errorf("DecodeText(%q): %v", c.wire, err)
		} else if !samePacket(got, c.pkt) {
			t.Errorf("DecodeText(%q) = %+v, want %+v", c.wire, got, c.pkt)
		}
		if enc := c.pkt.AppendText(nil); string(enc) != c.wire {
			t.Errorf("AppendText(%+v) = %q, want %q", c.pkt, enc, c.wire)
		}
		if n := c.pkt.TextLen(); n != len(c.wire) {
			t.Errorf("TextLen(%q) = %d, want %d", c.wire, n, len(c.wire))
		}
	}
}

func TestDecodeTextDataAliases(t *testing.T) {
	b := []byte("4hello")
	p, err := eio.DecodeText(b)
	if err != nil {
		t.Fatal(err)
	}
	b[1] = 'H'
	if string(p.Data) != "Hello" {
		t.Fatalf("text data should alias the input, got %q", p.Data)
	}
	if p, _ := eio.DecodeText([]byte("4")); p.Data != nil {
		t.Fatalf("no data should be nil, got %q", p.Data)
	}
}

func TestDecodeTextUnpaddedBase64(t *testing.T) {
	// Node's Buffer.from(s, "base64") accepts missing padding; so do we.
	for _, s := range []string{"bAQIDBA", "bAQIDBA=", "bAQIDBA=="} {
		p, err := eio.DecodeText([]byte(s))
		if err != nil || !bytes.Equal(p.Data, []byte{1, 2, 3, 4}) || !p.Binary {
			t.Errorf("DecodeText(%q) = %+v, %v", s, p, err)
		}
	}
}

func TestDecodeTextInvalid(t *testing.T) {
	for _, s := range []string{"", "7", "9", "a", "abc", " 4", "\x1e", "b!!!!", "bA", "bAQIDBA===", "b AQ=="[:1] + "*"} {
		_, err := eio.DecodeText([]byte(s))
		if !errors.Is(err, eio.ErrInvalidPacket) {
			t.Errorf("DecodeText(%q) error = %v, want ErrInvalidPacket", s, err)
		}
	}
}

func TestDecodeFrame(t *testing.T) {
	bin := []byte{0x04, 0x00, 0xff}
	p, err := eio.DecodeFrame(bin, true)
	if err != nil || !samePacket(p, eio.BinaryMessage(bin)) {
		t.Fatalf("binary frame: %+v, %v", p, err)
	}
	// A binary frame is the raw bytes: no v3 0x04 type byte is stripped.
	if p.Data[0] != 0x04 {
		t.Fatal("binary frame data changed")
	}
	p, err = eio.DecodeFrame([]byte("4hi"), false)
	if err != nil || !samePacket(p, eio.TextMessage([]byte("hi"))) {
		t.Fatalf("text frame: %+v, %v", p, err)
	}
	if _, err := eio.DecodeFrame(nil, false); !errors.Is(err, eio.ErrInvalidPacket) {
		t.Fatalf("empty text frame: %v", err)
	}
}

func TestTypeString(t *testing.T) {
	want := []string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}
	for i, w := range want {
		if got := eio.Type(i).String(); got != w {
			t.Errorf("Type(%d) = %q, want %q", i, got, w)
		}
		if c := eio.Type(i).Char(); c != byte('0'+i) {
			t.Errorf("Type(%d).Char() = %q", i, c)
		}
	}
	if got := eio.Type(9).String(); got != "Type(9)" {
		t.Errorf("Type(9) = %q", got)
	}
}

func TestIsProbe(t *testing.T) {
	for s, want := range map[string]bool{"2probe": true, "3probe": true, "2": false, "4probe": true, "2probes": false} {
		p, _ := eio.DecodeText([]byte(s))
		if p.IsProbe() != want {
			t.Errorf("%q IsProbe = %v", s, !want)
		}
	}
	if eio.BinaryMessage([]byte("probe")).IsProbe() {
		t.Error("binary probe")
	}
}
