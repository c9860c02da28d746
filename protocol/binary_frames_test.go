package protocol_test

import (
	"bytes"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

// binFile is a struct with binary fields, as users send files.
type binFile struct {
	Name  string   `json:"name"`
	Data  []byte   `json:"data"`
	Parts [][]byte `json:"parts,omitempty"`
}

// The frames an EVENT with binary in a struct takes on the wire.
func TestBinaryInStructFrames(t *testing.T) {
	p, err := sio.NewEvent("/", "upload", binFile{Name: "a", Data: []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	fs := p.Encode()
	if len(fs) != 2 || string(fs[0].AppendText(nil)) != `451-["upload",{"name":"a","data":{"_placeholder":true,"num":0}}]` ||
		!fs[1].Binary || !bytes.Equal(fs[1].Data, []byte("hi")) || fs[1].Type != eio.Message {
		t.Fatalf("frames %v", fs)
	}
}
