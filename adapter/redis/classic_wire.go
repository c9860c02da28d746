package redis

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"time"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// The request types of @socket.io/redis-adapter 8.3 (its own numbering, not
// socket.io-adapter's MessageType).
const (
	reqSockets              = 0
	reqAllRooms             = 1
	reqRemoteJoin           = 2
	reqRemoteLeave          = 3
	reqRemoteDisconnect     = 4
	reqRemoteFetch          = 5
	reqServerSideEmit       = 6
	reqBroadcast            = 7
	reqBroadcastClientCount = 8
	reqBroadcastAck         = 9
)

// newUID returns n random characters of the base64url alphabet (uid2's
// shape: the adapter's uid and request ids are 6 of them).
func newUID(n int) string {
	b := make([]byte, (n*3+3)/4)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// packetValue returns the packet as the Node adapter puts it in a message:
// {type: 2, data: [event, ...args], nsp}, binary attachments in place as
// Buffers.
func packetValue(p *sio.Packet, nsp string) (*notepack.Map, error) {
	data, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return nil, fmt.Errorf("redis: packet data: %w", err)
	}
	typ := float64(p.Type)
	if p.Type == sio.BinaryEvent {
		typ = float64(sio.Event)
	} else if p.Type == sio.BinaryAck {
		typ = float64(sio.Ack)
	}
	return notepack.NewMap("type", typ, "data", data, "nsp", nsp), nil
}

// optsValue returns the broadcast options as the Node adapter writes them:
// {rooms, except, flags}, flags holding only what is set.
func optsValue(opts server.BroadcastOptions, withTimeout bool) *notepack.Map {
	flags := &notepack.Map{}
	if opts.Flags.Volatile {
		flags.Set("volatile", true)
	}
	if withTimeout && opts.Flags.Timeout > 0 {
		flags.Set("timeout", float64(opts.Flags.Timeout.Milliseconds()))
	}
	return notepack.NewMap("rooms", strs(opts.Rooms), "except", strs(dedup(opts.Except)), "flags", flags)
}

// selectorValue is {rooms, except} (the JSON requests have no flags).
func selectorValue(opts server.BroadcastOptions) *notepack.Map {
	return notepack.NewMap("rooms", strs(opts.Rooms), "except", strs(dedup(opts.Except)))
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func dedup(s []string) []string {
	if len(s) < 2 {
		return s
	}
	out := make([]string, 0, len(s))
	seen := make(map[string]struct{}, len(s))
	for _, x := range s {
		if _, ok := seen[x]; !ok {
			seen[x] = struct{}{}
			out = append(out, x)
		}
	}
	return out
}

// encodeBroadcast returns the message of a broadcast without ack:
// msgpack [uid, packet, opts].
func encodeBroadcast(uid, nsp string, p *sio.Packet, opts server.BroadcastOptions) ([]byte, error) {
	pv, err := packetValue(p, nsp)
	if err != nil {
		return nil, err
	}
	return notepack.Encode([]any{uid, pv, optsValue(opts, false)})
}

// broadcastMsg is a decoded broadcast message.
type broadcastMsg struct {
	uid    string
	nsp    string
	packet *sio.Packet
	opts   server.BroadcastOptions
}

// decodeBroadcast reads msgpack [uid, packet, opts] as the Node adapter
// does (a packet without nsp is for "/").
func decodeBroadcast(b []byte) (*broadcastMsg, error) {
	v, err := notepack.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	arr, ok := v.([]any)
	if !ok || len(arr) < 3 {
		return nil, fmt.Errorf("%w: broadcast is not [uid, packet, opts]", ErrMalformed)
	}
	uid, _ := arr[0].(string)
	pm, ok := arr[1].(*notepack.Map)
	if !ok {
		return nil, fmt.Errorf("%w: broadcast packet is not an object", ErrMalformed)
	}
	nsp := "/"
	if x, ok := pm.Get("nsp"); ok {
		if _, u := x.(notepack.Undefined); !u {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%w: broadcast packet nsp %T", ErrMalformed, x)
			}
			nsp = s
		}
	}
	p, err := packetFrom(pm, nsp)
	if err != nil {
		return nil, err
	}
	om, ok := arr[2].(*notepack.Map)
	if !ok {
		return nil, fmt.Errorf("%w: broadcast opts is not an object", ErrMalformed)
	}
	opts, err := optsFrom(om)
	if err != nil {
		return nil, err
	}
	return &broadcastMsg{uid: uid, nsp: nsp, packet: p, opts: opts}, nil
}

// packetFrom builds an EVENT packet of namespace nsp from a message's
// {type, data}.
func packetFrom(pm *notepack.Map, nsp string) (*sio.Packet, error) {
	t, _ := pm.Get("type")
	if f, ok := t.(float64); !ok || (f != float64(sio.Event) && f != float64(sio.BinaryEvent)) {
		return nil, fmt.Errorf("%w: packet type %v is not an event", ErrMalformed, t)
	}
	data, _ := pm.Get("data")
	arr, ok := data.([]any)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("%w: event data is not [name, ...args]", ErrMalformed)
	}
	switch arr[0].(type) {
	case string, float64:
	default:
		return nil, fmt.Errorf("%w: event name %T", ErrMalformed, arr[0])
	}
	var att [][]byte
	js, err := notepack.AppendJSON(nil, arr, &att)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	p := &sio.Packet{Type: sio.Event, Data: js, Attachments: att}
	if nsp != "/" {
		p.Namespace = nsp
	}
	return p, nil
}

// optsFrom reads {rooms, except, flags}.
func optsFrom(om *notepack.Map) (server.BroadcastOptions, error) {
	var opts server.BroadcastOptions
	var err error
	if v, ok := om.Get("rooms"); ok {
		if opts.Rooms, err = roomList(v); err != nil {
			return opts, err
		}
	}
	if v, ok := om.Get("except"); ok {
		if opts.Except, err = roomList(v); err != nil {
			return opts, err
		}
	}
	if f, ok := om.Get("flags"); ok {
		if fm, ok := f.(*notepack.Map); ok {
			if v, _ := fm.Get("volatile"); v == true {
				opts.Flags.Volatile = true
			}
			if v, _ := fm.Get("compress"); v == true {
				opts.Flags.Compress = true
			}
			if v, ok := fm.Get("timeout"); ok {
				if ms, ok := v.(float64); ok && ms > 0 && ms < math.MaxInt32 {
					opts.Flags.Timeout = time.Duration(ms) * time.Millisecond
				}
			}
		}
	}
	return opts, nil
}

// roomList reads an array of rooms (JavaScript rooms may be numbers: they
// are named as String() writes them).
func roomList(v any) ([]string, error) {
	switch x := v.(type) {
	case nil, notepack.Undefined:
		return nil, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, r := range x {
			switch y := r.(type) {
			case string:
				out = append(out, y)
			case float64:
				var b []byte
				b, _ = notepack.AppendJSON(b, y, nil)
				out = append(out, string(b))
			default:
				return nil, fmt.Errorf("%w: room %T", ErrMalformed, r)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: rooms %T", ErrMalformed, v)
}

// decodeMessage reads a request or a response: JSON when it starts with
// '{' (as the Node adapter tests), msgpack otherwise. It must be an object.
func decodeMessage(b []byte) (*notepack.Map, error) {
	var v any
	var err error
	if len(b) > 0 && b[0] == '{' {
		v, err = notepack.FromJSON(b, nil)
	} else {
		v, err = notepack.Decode(b)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	m, ok := v.(*notepack.Map)
	if !ok {
		return nil, fmt.Errorf("%w: %T, want an object", ErrMalformed, v)
	}
	return m, nil
}

// getString returns m[k] when it is a string.
func getString(m *notepack.Map, k string) (string, bool) {
	v, _ := m.Get(k)
	s, ok := v.(string)
	return s, ok
}

// getNumber returns m[k] when it is a number.
func getNumber(m *notepack.Map, k string) (float64, bool) {
	v, _ := m.Get(k)
	f, ok := v.(float64)
	return f, ok
}

// toJSON writes v as JSON.stringify does (Buffers as their toJSON).
func toJSON(v any) []byte {
	b, err := notepack.AppendJSON(nil, v, nil)
	if err != nil {
		return []byte("null")
	}
	return b
}

// argsOf returns v (one ack value or serverSideEmit argument) as Args of one
// argument, binary values as attachments.
func argsOf(vals ...any) (server.Args, error) {
	var att [][]byte
	js, err := notepack.AppendJSON(nil, vals, &att)
	if err != nil {
		return server.Args{}, err
	}
	return sio.ParseArgs(&sio.Packet{Type: sio.Ack, Data: js, Attachments: att}), nil
}

// firstArgValue returns the first argument of args as a value (nil when
// there is none), binary values as Buffers.
func firstArgValue(args server.Args) (any, error) {
	if args.Len() == 0 {
		return nil, nil
	}
	return notepack.FromJSON(args.Raw(0), args.Attachments())
}

// eventValues marshals [event, ...args] as a value.
func eventValues(event string, args []any) ([]any, error) {
	js, att, err := sio.MarshalEvent(event, args...)
	if err != nil {
		return nil, err
	}
	v, err := notepack.FromJSON(js, att)
	if err != nil {
		return nil, err
	}
	arr, _ := v.([]any)
	return arr, nil
}
