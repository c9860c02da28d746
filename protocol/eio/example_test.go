package eio_test

import (
	"fmt"

	"github.com/duplexio/duplex/protocol/eio"
)

// A polling response body: packets joined by 0x1E, binary as "b" + base64.
func ExampleAppendPayload() {
	body := eio.AppendPayload(nil,
		eio.TextMessage([]byte(`2["hey","Jude"]`)),
		eio.BinaryMessage([]byte{1, 2, 3, 4}),
		eio.PingPacket,
	)
	fmt.Printf("%q\n", body)
	// Output: "42[\"hey\",\"Jude\"]\x1ebAQIDBA==\x1e2"
}

// Decoding a polling request body.
func ExampleDecodePayload() {
	body := []byte("4hello\x1ebAQIDBA==\x1e3probe")
	err := eio.DecodePayload(body, 1e6, func(p eio.Packet) error {
		if p.Binary {
			fmt.Println(p.Type, "binary", p.Data)
		} else {
			fmt.Println(p.Type, string(p.Data))
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// message hello
	// message binary [1 2 3 4]
	// pong probe
	// <nil>
}

// One WebSocket frame is one packet.
func ExampleDecodeFrame() {
	p, _ := eio.DecodeFrame([]byte("2probe"), false)
	fmt.Println(p.Type, p.IsProbe())
	p, _ = eio.DecodeFrame([]byte{0xca, 0xfe}, true)
	fmt.Println(p.Type, p.Binary, len(p.Data))
	// Output:
	// ping true
	// message true 2
}

// The open packet that starts a session.
func ExampleHandshake() {
	h := eio.Handshake{SID: "lv_VI97HAXpY6yYWAAAC", Upgrades: []string{"websocket"}, PingInterval: 25000, PingTimeout: 20000, MaxPayload: 1000000}
	p := h.OpenPacket()
	fmt.Println(string(p.AppendText(nil)))
	back, _ := eio.ParseHandshake(p.Data)
	fmt.Println(back.SID, back.Upgrades)
	// Output:
	// 0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
	// lv_VI97HAXpY6yYWAAAC [websocket]
}
