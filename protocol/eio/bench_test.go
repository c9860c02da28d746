package eio_test

import (
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
)

var benchPayload = []eio.Packet{
	eio.TextMessage([]byte(`2["chat",{"text":"hi","user":"bob"}]`)),
	eio.TextMessage([]byte(`51-["file",{"_placeholder":true,"num":0}]`)),
	eio.BinaryMessage(make([]byte, 256)),
	eio.PingPacket,
}

func BenchmarkAppendPayload(b *testing.B) {
	buf := make([]byte, 0, eio.PayloadLen(benchPayload...))
	b.ReportAllocs()
	b.SetBytes(int64(cap(buf)))
	for b.Loop() {
		buf = eio.AppendPayload(buf[:0], benchPayload...)
	}
}

func BenchmarkDecodePayload(b *testing.B) {
	body := eio.AppendPayload(nil, benchPayload...)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := eio.DecodePayload(body, 1e6, func(eio.Packet) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeText(b *testing.B) {
	in := []byte(`42["chat",{"text":"hi"}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eio.DecodeText(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenPacket(b *testing.B) {
	h := eio.Handshake{SID: "lv_VI97HAXpY6yYWAAAC", Upgrades: []string{"websocket"}, PingInterval: 25000, PingTimeout: 20000, MaxPayload: 1e6}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.OpenPacket()
	}
}
