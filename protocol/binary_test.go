//go:build interop && !js

package protocol_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/nodetest"
	"github.com/duplexio/duplex/protocol/sio"
)

type binAny struct{ X any }

type binNested struct {
	Title string             `json:"title"`
	File  *binFile           `json:"file"`
	Any   any                `json:"any"`
	Map   map[string]binAny  `json:"map"`
	List  []any              `json:"list"`
	Blobs map[string][]byte  `json:"blobs"`
	Deep  []map[string][]any `json:"deep"`
}

// binaryShapes are the shapes binary data takes inside arguments: each is
// sent by us and decoded by socket.io-parser, and sent by socket.io-parser
// (from the same value with Buffers) and decoded by us into its Go type.
func binaryShapes() []struct {
	name  string
	value any    // what Go sends, and what decoding into its type gives back
	js    string // the same value as JavaScript holds it ({"$bin": base64} for a Buffer)
} {
	return []struct {
		name  string
		value any
		js    string
	}{
		{"[]byte", []byte{1, 2, 3}, `{"$bin":"AQID"}`},
		{"struct with []byte fields", binFile{Name: "a.bin", Data: []byte{0xff, 0}, Parts: [][]byte{{1}, {}}},
			`{"name":"a.bin","data":{"$bin":"/wA="},"parts":[{"$bin":"AQ=="},{"$bin":""}]}`},
		{"struct{X any}", binAny{[]byte("hi")}, `{"X":{"$bin":"aGk="}}`},
		{"map[string][]byte", map[string][]byte{"b": {2}, "a": {1}}, `{"a":{"$bin":"AQ=="},"b":{"$bin":"Ag=="}}`},
		{"[][]byte", [][]byte{{9}, {8, 7}}, `[{"$bin":"CQ=="},{"$bin":"CAc="}]`},
		{"map[string]any (binary data mixed with json)", map[string]any{"goodbye": "gotcha", "hello": "lol", "message": []byte{0, 0}},
			`{"goodbye":"gotcha","hello":"lol","message":{"$bin":"AAA="}}`},
		{"[]any", []any{"x", []byte{5}, map[string]any{"in": []any{[]byte{6}}}}, `["x",{"$bin":"BQ=="},{"in":[{"$bin":"Bg=="}]}]`},
		{"nested", binNested{
			Title: "t",
			File:  &binFile{Name: "f", Data: []byte{1}},
			Any:   map[string]any{"b": []byte{2}, "n": 1.5},
			Map:   map[string]binAny{"k": {[]byte{3}}},
			List:  []any{[]byte{4}, nil, true},
			Blobs: map[string][]byte{"z": {5}},
			Deep:  []map[string][]any{{"d": {[]byte{6}, "s"}}},
		}, `{"title":"t","file":{"name":"f","data":{"$bin":"AQ=="}},"any":{"b":{"$bin":"Ag=="},"n":1.5},` +
			`"map":{"k":{"X":{"$bin":"Aw=="}}},"list":[{"$bin":"BA=="},null,true],"blobs":{"z":{"$bin":"BQ=="}},` +
			`"deep":[{"d":[{"$bin":"Bg=="},"s"]}]}`},
	}
}

// TestBinaryShapesCrossCheck: every shape both ways against socket.io-parser,
// in an EVENT and in an ACK: the reference decodes our frames to the value
// with Buffers and encodes that value to our frames byte for byte; we decode
// its frames into the Go type and get the value back.
func TestBinaryShapesCrossCheck(t *testing.T) {
	shapes := binaryShapes()
	type sent struct {
		name string
		pkt  sio.Packet
		js   string // the reference's packet
	}
	var cases []sent
	for _, s := range shapes {
		ev, err := sio.NewEvent("/", "ev", s.value)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		ack, err := sio.NewAck("/x", 7, s.value, "after")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		cases = append(cases,
			sent{s.name + " (event)", ev, `{"type":2,"nsp":"/","data":["ev",` + s.js + `]}`},
			sent{s.name + " (ack)", ack, `{"type":3,"nsp":"/x","id":7,"data":[` + s.js + `,"after"]}`})
	}
	c := corpus{EIO: []eioCase{}, EIOInvalid: []string{}, Payloads: []payloadCase{}, SIOInvalid: [][]json.RawMessage{}}
	for _, cs := range cases {
		sc := sioCase{Pkt: json.RawMessage(cs.js)}
		for _, f := range cs.pkt.Encode() {
			sc.Go = append(sc.Go, frameJSON(f))
		}
		c.SIO = append(c.SIO, sc)
	}
	var stdin bytes.Buffer
	enc := json.NewEncoder(&stdin)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := nodetest.Run(t, ctx, &stdin, "parser/crosscheck.js")
	var r results
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("reference output: %v\n%s", err, out)
	}
	if len(r.SIO) != len(cases) {
		t.Fatalf("reference answered %d of %d cases", len(r.SIO), len(cases))
	}
	for i, cs := range cases {
		res, want := r.SIO[i], c.SIO[i]
		// Ours -> reference: the value with Buffers, in a valid packet.
		if res.Error != "" {
			t.Errorf("%s: the reference fails to decode ours: %s", cs.name, res.Error)
		} else if !jsonEqual(res.Decoded, want.Pkt) || !res.Valid {
			t.Errorf("%s: the reference decodes ours as %s (valid %v), want %s", cs.name, res.Decoded, res.Valid, want.Pkt)
		}
		// Reference -> same frames as ours, byte for byte.
		if !sameFrames(res.Enc, want.Go) {
			t.Errorf("%s: the reference encodes\n%s\nours\n%s", cs.name, res.Enc, want.Go)
		}
		// Reference's frames -> the Go value, decoded into its own type.
		shape := shapes[i/2]
		got, err := decodeAll(unframe(t, res.Enc))
		if err != nil {
			t.Errorf("%s: decoding the reference's frames: %v", cs.name, err)
			continue
		}
		var args sio.Args
		if got.Type == sio.BinaryEvent {
			if _, args, err = sio.ParseEvent(&got); err != nil {
				t.Errorf("%s: %v", cs.name, err)
				continue
			}
		} else {
			args = sio.ParseArgs(&got)
		}
		into := reflect.New(reflect.TypeOf(shape.value))
		if err := args.Decode(0, into.Interface()); err != nil {
			t.Errorf("%s: Decode into %s: %v", cs.name, into.Type(), err)
		} else if !reflect.DeepEqual(into.Elem().Interface(), shape.value) {
			t.Errorf("%s: decoded into %s\n got %#v\nwant %#v", cs.name, into.Type(), into.Elem().Interface(), shape.value)
		}
	}
}
