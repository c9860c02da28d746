package sio_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

func BenchmarkNewEvent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sio.NewEvent("/", "chat", "hello", map[string]any{"text": "hi", "n": 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewEventRaw(b *testing.B) {
	arg := json.RawMessage(`{"text":"hi","user":"bob","ts":1732582800000}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sio.NewEvent("/", "chat", arg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewEventStruct(b *testing.B) {
	type msg struct {
		Text string `json:"text"`
		User string `json:"user"`
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sio.NewEvent("/", "chat", msg{"hi", "bob"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	p, _ := sio.NewEvent("/", "chat", json.RawMessage(`{"text":"hi","user":"bob"}`))
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Encode()
	}
}

func BenchmarkEncodeBinary(b *testing.B) {
	p, _ := sio.NewEvent("/admin", "file", "name.bin", make([]byte, 1024))
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Encode()
	}
}

// BenchmarkBroadcast encodes one event once and writes the same frames to
// 1000 recipients' buffers (as each session's writer would, adding the
// Engine.IO message type): the per-recipient cost is only the copy.
func BenchmarkBroadcast(b *testing.B) {
	const recipients = 1000
	bufs := make([][]byte, recipients)
	for i := range bufs {
		bufs[i] = make([]byte, 0, 256)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := sio.NewEvent("/", "chat", "hello", json.RawMessage(`{"text":"hi","user":"bob"}`))
		if err != nil {
			b.Fatal(err)
		}
		frames := p.Encode()
		for i := range bufs {
			bufs[i] = frames[0].AppendText(bufs[i][:0])
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	in := []byte(`2["chat",{"text":"hi"}]`)
	var msg struct {
		Text string `json:"text"`
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		p, err := sio.DecodeText(in, 0)
		if err != nil {
			b.Fatal(err)
		}
		name, args, err := sio.ParseEvent(&p)
		if err != nil || name != "chat" {
			b.Fatal(err)
		}
		if err := args.Decode(0, &msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRelay is the relay path: decode and split, no typed decode.
func BenchmarkDecodeRelay(b *testing.B) {
	in := []byte(`2/chat,12["message",{"text":"hello there","user":"bob","tags":["a","b"]},42]`)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		p, err := sio.DecodeText(in, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, args, err := sio.ParseEvent(&p); err != nil || args.Len() != 2 {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecoderBinary(b *testing.B) {
	msgs := []eio.Packet{
		eio.TextMessage([]byte(`51-["file",{"name":"a.bin","data":{"_placeholder":true,"num":0}}]`)),
		eio.BinaryMessage(make([]byte, 1024)),
	}
	var d sio.Decoder
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			if _, _, err := d.Decode(m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSplitEvent is a server's parse of an incoming event: decode, split
// into the caller's buffer, match the name against a handler's.
func BenchmarkSplitEvent(b *testing.B) {
	m := eio.TextMessage([]byte(`2123["echo",1764123456789,"abcdefghijklmnop",{"n":7}]`))
	var d sio.Decoder
	var buf [4]json.RawMessage
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Data)))
	for b.Loop() {
		p, ok, err := d.Decode(m)
		if err != nil || !ok {
			b.Fatal(err)
		}
		name, args, err := sio.SplitEvent(&p, buf[:0])
		if err != nil || !sio.EventNameIs(name, "echo") || args.Len() != 3 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSplit is BenchmarkSplitEvent's work in one pass
// (Decoder.DecodeSplit: the payload checked and split at once).
func BenchmarkDecodeSplit(b *testing.B) {
	m := eio.TextMessage([]byte(`2123["echo",1764123456789,"abcdefghijklmnop",{"n":7}]`))
	var d sio.Decoder
	var buf [4]json.RawMessage
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Data)))
	for b.Loop() {
		_, elems, ok, err := d.DecodeSplit(m, buf[:0])
		if err != nil || !ok || len(elems) != 4 || !sio.EventNameIs(elems[0], "echo") {
			b.Fatal(err)
		}
	}
}

// BenchmarkAckEncode is an ack's text written into one buffer: the header,
// then the arguments.
func BenchmarkAckEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p := sio.Packet{Type: sio.Ack, Namespace: "/", ID: 123, HasID: true}
		buf, att, err := sio.AppendArgs(p.AppendText(make([]byte, 0, p.TextLen()+32)), 42, "ok")
		if err != nil || att != nil || len(buf) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewEventBinaryStruct encodes a struct with a []byte field: the
// field is an attachment.
func BenchmarkNewEventBinaryStruct(b *testing.B) {
	type file struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	f := file{"a.png", make([]byte, 1024)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sio.NewEvent("/", "upload", f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkArgsDecodeBinary decodes an argument holding an attachment into a
// struct with a []byte field and into a map[string]any.
func BenchmarkArgsDecodeBinary(b *testing.B) {
	p := sio.Packet{Type: sio.BinaryEvent, Data: json.RawMessage(`["upload",{"name":"a.png","data":{"_placeholder":true,"num":0}}]`), Attachments: [][]byte{make([]byte, 1024)}}
	_, args, err := sio.ParseEvent(&p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("struct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f struct {
				Name string `json:"name"`
				Data []byte `json:"data"`
			}
			if err := args.Decode(0, &f); err != nil || len(f.Data) != 1024 {
				b.Fatal(err)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := args.Decode(0, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeLargeString: the receive path of a page written in Go for
// a 16 KB event, the Decoder's check and split then the handler's Decode
// of (int, string) (GOOS=js GOARCH=wasm under Node: `make test-wasm`'s
// setup). "decode" is package client's path (Decoder.Decode, then
// ParseEvent: the payload read twice); "split" Decoder.DecodeSplit's one
// pass, a server's path: under Node (CPU time, load 8-9) 33 against 43 µs,
// but DecodeSplit and validSplit would add 2.3 KB (brotli) to client.wasm.
func BenchmarkDecodeLargeString(b *testing.B) {
	m := eio.TextMessage([]byte(`2["m",1,"` + strings.Repeat("x", 16<<10) + `"]`))
	check := func(args sio.Args) {
		var (
			i int
			s string
		)
		if err := args.Decode(0, &i); err != nil || i != 1 {
			b.Fatal(err)
		}
		if err := args.Decode(1, &s); err != nil || len(s) != 16<<10 {
			b.Fatal(err)
		}
	}
	b.Run("split", func(b *testing.B) {
		b.SetBytes(int64(len(m.Data)))
		b.ReportAllocs()
		var d sio.Decoder
		for b.Loop() {
			_, elems, ok, err := d.DecodeSplit(m, make([]json.RawMessage, 0, 4))
			if err != nil || !ok || len(elems) != 3 {
				b.Fatal(err)
			}
			check(sio.RawArgs(elems[1:]...))
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(m.Data)))
		b.ReportAllocs()
		var d sio.Decoder
		for b.Loop() {
			p, ok, err := d.Decode(m)
			if err != nil || !ok {
				b.Fatal(err)
			}
			_, args, err := sio.ParseEvent(&p)
			if err != nil {
				b.Fatal(err)
			}
			check(args)
		}
	})
}
