package client

import "github.com/duplexio/duplex/protocol/sio"

// NewRawManager is NewManager for a program whose arguments are already
// encoded: Emit, Ack, Auth and AuthFunc's result take the values
// sio.AppendRawArgs takes (json.RawMessage and sio.RawWithAttachments, JSON
// text copied to the wire; nil, strings, booleans, numbers, []byte, and
// []any and map[string]any of those) and fail with sio.ErrUnsupportedValue
// on any other type, such as a struct. A program that creates its Managers
// with NewRawManager only does not link the reflection-based encoder of
// NewManager's (the browser client, client.wasm, is ~35 KB brotli smaller);
// a relay that forwards the Args it receives loses nothing.
func NewRawManager(rawURL string, opts *Options) (*Manager, error) {
	m := newManager(rawURL, opts, rawEncoder)
	return m, m.urlErr
}

// encoder is how a Manager encodes the arguments of Emit and Ack and the
// auth object: sio's AppendEvent and AppendArgs (NewManager, Connect) or
// AppendRawEvent and AppendRawArgs (NewRawManager). The client calls no other
// encoder, so that which one a program links is decided by the constructor
// it calls.
type encoder struct {
	event func(dst []byte, name string, args ...any) ([]byte, [][]byte, error)
	args  func(dst []byte, args ...any) ([]byte, [][]byte, error)
}

var (
	anyEncoder = encoder{event: sio.AppendEvent, args: sio.AppendArgs}
	rawEncoder = encoder{event: sio.AppendRawEvent, args: sio.AppendRawArgs}
)

// newEvent is sio.NewEvent with enc.
func newEvent(enc *encoder, nsp, name string, args []any) (sio.Packet, error) {
	data, att, err := enc.event(make([]byte, 0, 64), name, args...)
	if err != nil {
		return sio.Packet{}, err
	}
	p := sio.Packet{Type: sio.Event, Namespace: nsp, Data: data, Attachments: att}
	if att != nil {
		p.Type = sio.BinaryEvent
	}
	return p, nil
}

// newAck is sio.NewAck with enc.
func newAck(enc *encoder, nsp string, id uint64, args []any) (sio.Packet, error) {
	data, att, err := enc.args(make([]byte, 0, 32), args...)
	if err != nil {
		return sio.Packet{}, err
	}
	p := sio.Packet{Type: sio.Ack, Namespace: nsp, ID: id, HasID: true, Data: data, Attachments: att}
	if att != nil {
		p.Type = sio.BinaryAck
	}
	return p, nil
}
