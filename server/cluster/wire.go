package cluster

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
	"github.com/duplexio/duplex/server"
)

// wirePacket returns the cluster form of an event packet: {type: 2, data}.
func wirePacket(p *sio.Packet) Packet {
	return Packet{Type: int(sio.Event), Data: Payload{JSON: p.Data, Attachments: p.Attachments}}
}

// sio returns the event packet of namespace nsp that p carries.
func (p *Packet) sio(nsp string) sio.Packet {
	return sio.Packet{Type: sio.Event, Namespace: nsp, Data: p.Data.JSON, Attachments: p.Data.Attachments}
}

// SIO returns the event packet of namespace nsp that p carries, with offset
// appended as its last argument when not empty (a transport restoring the
// packets a session missed).
func (p *Packet) SIO(nsp, offset string) *sio.Packet {
	q := p.sio(nsp)
	if offset != "" {
		q.Data = AppendOffset(q.Data, offset)
	}
	return &q
}

// wireOptions returns Node's encoding of opts.
func wireOptions(opts server.BroadcastOptions) Options {
	f := opts.Flags
	return Options{
		Rooms:  nonNil(opts.Rooms),
		Except: nonNil(opts.Except),
		Flags:  Flags{Volatile: f.Volatile, Local: f.Local, Timeout: f.Timeout.Milliseconds()},
	}
}

// server returns the server's form of o.
func (o *Options) server() server.BroadcastOptions {
	return server.BroadcastOptions{
		Rooms:  o.Rooms,
		Except: o.Except,
		Flags: server.BroadcastFlags{
			Volatile: o.Flags.Volatile,
			Timeout:  time.Duration(o.Flags.Timeout) * time.Millisecond,
		},
	}
}

// Includes reports whether a socket in rooms is selected by o (Node's
// shouldIncludePacket, for the packets a session missed).
func (o *Options) Includes(rooms []string) bool {
	included := len(o.Rooms) == 0
	for _, r := range rooms {
		if slices.Contains(o.Except, r) {
			return false
		}
		if !included && slices.Contains(o.Rooms, r) {
			included = true
		}
	}
	return included
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AppendOffset returns the JSON array data with the string offset appended
// (Node's packet.data.push(offset)).
func AppendOffset(data json.RawMessage, offset string) json.RawMessage {
	end := len(data) - 1
	for end >= 0 && data[end] != ']' {
		end--
	}
	if end < 0 {
		return data
	}
	out := make([]byte, 0, len(data)+len(offset)+4)
	out = append(out, data[:end]...)
	trimmed := end - 1
	for trimmed >= 0 && (out[trimmed] == ' ' || out[trimmed] == '\n' || out[trimmed] == '\t' || out[trimmed] == '\r') {
		trimmed--
	}
	if trimmed >= 0 && out[trimmed] != '[' {
		out = append(out, ',')
	}
	out = strconv.AppendQuote(out, offset) // stream ids are plain ASCII
	return append(out, ']')
}
