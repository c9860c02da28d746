package sio_test

import (
	"encoding/json"
	"fmt"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

// Encoding an event once into Engine.IO packets, ready for any number of sessions.
func ExampleNewEvent() {
	p, err := sio.NewEvent("/chat", "message", "hello", map[string]any{"from": "<bob>"})
	if err != nil {
		panic(err)
	}
	for _, f := range p.Encode() {
		fmt.Println(string(f.AppendText(nil)))
	}
	// Output: 42/chat,["message","hello",{"from":"<bob>"}]
}

// Decoding an incoming event and its arguments, typed only when asked.
func ExampleParseEvent() {
	p, err := sio.DecodeText([]byte(`2["chat",{"text":"hi"},7]`), 0)
	if err != nil {
		panic(err)
	}
	name, args, err := sio.ParseEvent(&p)
	if err != nil {
		panic(err)
	}
	var msg struct {
		Text string `json:"text"`
	}
	var n int
	_ = args.Decode(0, &msg)
	_ = args.Decode(1, &n)
	fmt.Println(name, msg.Text, n, string(args.Raw(0)))
	// Output: chat hi 7 {"text":"hi"}
}

// Dispatching an incoming event without allocating: the values are split into
// a buffer the caller keeps, and the raw name is matched against the
// registered names; an answer is written header first, then its arguments,
// into one buffer.
func ExampleSplitEvent() {
	handlers := []string{"join", "echo"}
	p, err := sio.DecodeText([]byte(`27["echo","hi",42]`), 0)
	if err != nil {
		panic(err)
	}
	var buf [4]json.RawMessage
	raw, args, err := sio.SplitEvent(&p, buf[:0])
	if err != nil {
		panic(err)
	}
	for _, h := range handlers {
		if sio.EventNameIs(raw, h) {
			ack := sio.Packet{Type: sio.Ack, Namespace: p.Namespace, ID: p.ID, HasID: true}
			b, _, _ := sio.AppendArgs(ack.AppendText(nil), args.Raw(0), args.Raw(1))
			fmt.Println(h, string(b))
		}
	}
	// Output: echo 37["hi",42]
}

// A server's read loop: DecodeSplit checks and splits an EVENT in one pass;
// other packets (here an ACK) come as from Decode.
func ExampleDecoder_DecodeSplit() {
	var d sio.Decoder
	var buf [4]json.RawMessage
	for _, m := range []string{`27["echo","hi",42]`, `31[true]`} {
		p, elems, ok, err := d.DecodeSplit(eio.TextMessage([]byte(m)), buf[:0])
		if err != nil || !ok {
			panic(err)
		}
		if elems != nil {
			name, _ := sio.EventName(elems[0])
			fmt.Println(p.Type, p.ID, name, len(elems)-1, "arguments")
			continue
		}
		fmt.Println(p.Type, p.ID, sio.ParseArgs(&p).Len(), "argument")
	}
	// Output:
	// EVENT 7 echo 2 arguments
	// ACK 1 1 argument
}

// A binary event travels as a text packet with placeholders and one binary
// message per attachment; a Decoder puts them back together.
func ExampleDecoder() {
	out, _ := sio.NewEvent("/", "upload", "photo.png", []byte{0x89, 0x50, 0x4e, 0x47})
	frames := out.Encode()
	fmt.Println(string(frames[0].AppendText(nil)), len(frames))

	var d sio.Decoder
	for _, f := range frames {
		p, ok, err := d.Decode(f)
		if err != nil {
			panic(err)
		}
		if !ok {
			continue // waiting for attachments
		}
		name, args, _ := sio.ParseEvent(&p)
		var file string
		var data []byte
		_ = args.Decode(0, &file)
		_ = args.Decode(1, &data)
		fmt.Println(p.Type, name, file, data)
	}
	// Output:
	// 451-["upload","photo.png",{"_placeholder":true,"num":0}] 2
	// BINARY_EVENT upload photo.png [137 80 78 71]
}

// Answering an event that asked for an acknowledgement.
func ExampleNewAck() {
	in, _ := sio.DecodeText([]byte(`2/admin,0["tellme"]`), 0)
	ack, _ := sio.NewAck(in.Namespace, in.ID, "ok", 42)
	fmt.Println(ack.String())
	// Output: 3/admin,0["ok",42]
}

// Binary messages and text packets of a polling payload go through the same Decoder.
func Example_pollingPayload() {
	body := []byte("452-[\"pair\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]\x1ebAQI=\x1ebAwQ=\x1e42[\"next\"]")
	var d sio.Decoder
	_ = eio.DecodePayload(body, 1e6, func(m eio.Packet) error {
		p, ok, err := d.Decode(m)
		if err != nil || !ok {
			return err
		}
		name, args, _ := sio.ParseEvent(&p)
		vals, _ := args.Values()
		fmt.Println(name, vals)
		return nil
	})
	// Output:
	// pair [[1 2] [3 4]]
	// next []
}

// A []byte inside a struct, a map or a slice is an attachment, as a Buffer
// inside an object is in JavaScript; decoded, it is a []byte in a []byte
// field and in an interface alike.
func ExampleArgs_Decode_binary() {
	type photo struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	out, _ := sio.NewEvent("/", "upload", photo{"a.png", []byte{1, 2}}, map[string]any{"thumbs": [][]byte{{3}}})
	frames := out.Encode()
	fmt.Println(string(frames[0].AppendText(nil)), len(frames)-1, "attachments")

	var d sio.Decoder
	var in sio.Packet
	for _, f := range frames {
		in, _, _ = d.Decode(f)
	}
	_, args, _ := sio.ParseEvent(&in)
	var typed photo
	var loose map[string]any
	var list struct{ Thumbs []any }
	_ = args.Decode(0, &typed)
	_ = args.Decode(0, &loose)
	_ = args.Decode(1, &list)
	fmt.Println(typed.Data, loose["data"], list.Thumbs[0])
	// Output:
	// 452-["upload",{"name":"a.png","data":{"_placeholder":true,"num":0}},{"thumbs":[{"_placeholder":true,"num":1}]}] 2 attachments
	// [1 2] [1 2] [3]
}
