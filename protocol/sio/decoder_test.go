package sio_test

import (
	"errors"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

func text(s string) eio.Packet { return eio.TextMessage([]byte(s)) }
func bin(b ...byte) eio.Packet { return eio.BinaryMessage(b) }

// feed sends msgs through a fresh decoder and returns the packets it produced
// and the first error.
func feed(d *sio.Decoder, msgs ...eio.Packet) ([]sio.Packet, error) {
	var out []sio.Packet
	for _, m := range msgs {
		p, ok, err := d.Decode(m)
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

func TestDecoderErrors(t *testing.T) {
	cases := []struct {
		name string
		msgs []eio.Packet
		also error
	}{
		{"stray binary", []eio.Packet{bin(1)}, sio.ErrUnexpectedAttachment},
		{"binary after a complete packet", []eio.Packet{text(`51-["a",` + ph0 + `]`), bin(1), bin(2)}, sio.ErrUnexpectedAttachment},
		{"text while waiting", []eio.Packet{text(`52-["a",` + ph0 + `,` + ph1 + `]`), bin(1), text(`2["b"]`)}, sio.ErrUnexpectedAttachment},
		{"too many attachments", []eio.Packet{text(`511-["a"]`)}, sio.ErrTooManyAttachments},
		{"placeholder out of range", []eio.Packet{text(`51-["a",` + ph1 + `]`), bin(1)}, nil},
		{"negative placeholder", []eio.Packet{text(`51-["a",{"_placeholder":true,"num":-1}]`), bin(1)}, nil},
		{"fractional placeholder", []eio.Packet{text(`52-["a",{"_placeholder":true,"num":0.5}]`), bin(1), bin(2)}, nil},
		{"string placeholder num", []eio.Packet{text(`51-["a",{"_placeholder":true,"num":"0"}]`), bin(1)}, nil},
		{"placeholder without num", []eio.Packet{text(`51-["a",{"_placeholder":true}]`), bin(1)}, nil},
		{"nested bad placeholder", []eio.Packet{text(`61-3[{"x":[{"y":{"_placeholder":true,"num":3}}]}]`), bin(1)}, nil},
		{"bad placeholder before a good one", []eio.Packet{text(`61-3[[{"_placeholder":true,"num":3},{"_placeholder":true,"num":0}],1]`), bin(1)}, nil},
		{"escaped placeholder key", []eio.Packet{text(`51-["a",{"\u005fplaceholder":true,"num":1}]`), bin(1)}, nil},
		{"last duplicate key wins", []eio.Packet{text(`51-["a",{"_placeholder":false,"_placeholder":true,"num":1}]`), bin(1)}, nil},
		{"not a message", []eio.Packet{eio.PingPacket}, nil},
		{"reserved binary event", []eio.Packet{text(`51-["disconnect",` + ph0 + `]`)}, sio.ErrReservedEvent},
	}
	for _, c := range cases {
		var d sio.Decoder
		_, err := feed(&d, c.msgs...)
		if !errors.Is(err, sio.ErrInvalidPacket) {
			t.Errorf("%s: %v, want ErrInvalidPacket", c.name, err)
		}
		if c.also != nil && !errors.Is(err, c.also) {
			t.Errorf("%s: %v, want %v", c.name, err, c.also)
		}
		if d.Pending() {
			t.Errorf("%s: pending after an error", c.name)
		}
	}
}

func TestDecoderPlaceholderRules(t *testing.T) {
	// Accepted by the reference: unused attachments, placeholders with extra
	// keys, "_placeholder" not true (an ordinary object), and a placeholder is
	// not looked into.
	for _, msgs := range [][]eio.Packet{
		{text(`52-["a",` + ph1 + `]`), bin(1), bin(2)},
		{text(`51-["a",{"num":0,"_placeholder":true,"extra":[1]}]`), bin(1)},
		{text(`51-["a",{"_placeholder":false,"num":9},` + ph0 + `]`), bin(1)},
		{text(`51-["a",{"_placeholder":"true","num":9}]`), bin(1)},
		{text(`51-["a",{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":9}}]`), bin(1)},
		{text(`51-["a",{"_placeholder":true,"num":0,"x":[{"_placeholder":true,"num":9},1]},2]`), bin(1)},
		{text(`51-["a",{"_placeholder":true,"num":0,"x":[[{"_placeholder":true}]]}]`), bin(1)},
		{text(`51-["a",{"_placeholder":true,"num":0e0}]`), bin(1)},
		{text(`51-["a",{"\u005fplaceholder":true,"num":0}]`), bin(1)},
		{text(`2["a",{"_placeholder":true,"num":5}]`)}, // not a binary packet: not reconstructed
	} {
		var d sio.Decoder
		got, err := feed(&d, msgs...)
		if err != nil || len(got) != 1 {
			t.Errorf("%s: %d packets, %v", msgs[0].Data, len(got), err)
		}
	}
}

func TestDecoderRecoversAfterError(t *testing.T) {
	var d sio.Decoder
	if _, err := feed(&d, text(`52-["a",`+ph0+`,`+ph1+`]`), bin(1), text(`2["b"]`)); err == nil {
		t.Fatal("no error")
	}
	got, err := feed(&d, text(`2["c"]`), text(`51-["d",`+ph0+`]`), bin(7))
	if err != nil || len(got) != 2 || got[1].Attachments[0][0] != 7 {
		t.Fatalf("after error: %+v, %v", got, err)
	}
}

func TestDecoderSequence(t *testing.T) {
	var d sio.Decoder
	got, err := feed(&d,
		text(`2["a"]`),
		text(`52-/admin,3["b",`+ph0+`,{"k":`+ph1+`}]`), bin(1, 2), bin(),
		text(`312[]`),
		text(`61-["x",`+ph0+`]`), bin(9),
	)
	if err != nil || len(got) != 4 {
		t.Fatalf("%d packets, %v", len(got), err)
	}
	if p := got[1]; p.Type != sio.BinaryEvent || p.Namespace != "/admin" || p.ID != 3 || len(p.Attachments) != 2 || p.Attachments[1] == nil || len(p.Attachments[1]) != 0 {
		t.Fatalf("binary event %+v", p)
	}
	if p := got[3]; p.Type != sio.BinaryAck || p.HasID {
		t.Fatalf("binary ack %+v", p)
	}
}

func TestDecoderMaxAttachments(t *testing.T) {
	d := sio.Decoder{MaxAttachments: 2}
	if _, err := feed(&d, text(`53-["a"]`)); !errors.Is(err, sio.ErrTooManyAttachments) {
		t.Fatalf("3 with limit 2: %v", err)
	}
	d = sio.Decoder{MaxAttachments: 12}
	msgs := []eio.Packet{text(`512-["a"]`)}
	for range 12 {
		msgs = append(msgs, bin(0))
	}
	if got, err := feed(&d, msgs...); err != nil || len(got) != 1 || len(got[0].Attachments) != 12 {
		t.Fatalf("12 with limit 12: %v", err)
	}
}

func TestDecoderReset(t *testing.T) {
	var d sio.Decoder
	if _, err := feed(&d, text(`51-["a",`+ph0+`]`)); err != nil || !d.Pending() {
		t.Fatal("not pending")
	}
	d.Reset()
	if d.Pending() {
		t.Fatal("pending after Reset")
	}
	if _, err := feed(&d, bin(1)); !errors.Is(err, sio.ErrUnexpectedAttachment) {
		t.Fatalf("binary after Reset: %v", err)
	}
}

// TestDecoderNamespaces: the decoder reuses the last namespace's string while
// it repeats (no allocation per packet) and reads every other one afresh.
func TestDecoderNamespaces(t *testing.T) {
	var d sio.Decoder
	for _, c := range []struct{ text, nsp string }{
		{`2/a,["x"]`, "/a"}, {`2/a,1["y"]`, "/a"}, {`2/ab,["z"]`, "/ab"}, {`0/a`, "/a"}, {`2["w"]`, "/"}, {`2/a,["x"]`, "/a"}, {`2/b,["x"]`, "/b"},
	} {
		p, ok, err := d.Decode(text(c.text))
		if err != nil || !ok || p.Namespace != c.nsp {
			t.Fatalf("%s: namespace %q, %v, %v; want %q", c.text, p.Namespace, ok, err, c.nsp)
		}
	}
	m := text(`2/chat,12["echo",1,"abc",{"n":7}]`)
	if n := testing.AllocsPerRun(100, func() {
		if p, ok, err := d.Decode(m); err != nil || !ok || p.Namespace != "/chat" || p.ID != 12 {
			t.Fatal(p, err)
		}
	}); n != 0 {
		t.Errorf("Decode of a repeated namespace: %v allocations, want 0", n)
	}
}
