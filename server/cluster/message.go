package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// MessageType is the type of a cluster message: socket.io-adapter's
// MessageType, same numbers.
type MessageType int

// The message types of socket.io-adapter 2.5.
const (
	InitialHeartbeat       MessageType = 1
	Heartbeat              MessageType = 2
	Broadcast              MessageType = 3 // with a request id: a broadcast with acks
	SocketsJoin            MessageType = 4
	SocketsLeave           MessageType = 5
	DisconnectSockets      MessageType = 6
	FetchSockets           MessageType = 7
	FetchSocketsResponse   MessageType = 8
	ServerSideEmit         MessageType = 9
	ServerSideEmitResponse MessageType = 10
	BroadcastClientCount   MessageType = 11
	BroadcastAck           MessageType = 12
	AdapterClose           MessageType = 13
)

var typeNames = [...]string{"", "INITIAL_HEARTBEAT", "HEARTBEAT", "BROADCAST", "SOCKETS_JOIN", "SOCKETS_LEAVE",
	"DISCONNECT_SOCKETS", "FETCH_SOCKETS", "FETCH_SOCKETS_RESPONSE", "SERVER_SIDE_EMIT",
	"SERVER_SIDE_EMIT_RESPONSE", "BROADCAST_CLIENT_COUNT", "BROADCAST_ACK", "ADAPTER_CLOSE"}

// String returns socket.io-adapter's name of the type.
func (t MessageType) String() string {
	if t > 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// IsResponse reports whether messages of type t answer a request (they go to
// the requester only).
func (t MessageType) IsResponse() bool {
	switch t {
	case FetchSocketsResponse, ServerSideEmitResponse, BroadcastClientCount, BroadcastAck:
		return true
	}
	return false
}

// Message is one cluster message, {type, data, uid, nsp} in Node's JSON.
// Data is nil (heartbeats) or a pointer to the data type of Type:
//
//	Broadcast                            *BroadcastData
//	SocketsJoin, SocketsLeave            *RoomsData
//	DisconnectSockets                    *DisconnectData
//	FetchSockets                         *FetchSocketsData
//	FetchSocketsResponse                 *FetchSocketsResponseData
//	ServerSideEmit                       *ServerSideEmitData
//	ServerSideEmitResponse, BroadcastAck *ResponseData
//	BroadcastClientCount                 *ClientCountData
type Message struct {
	Type MessageType `json:"type"`
	Data any         `json:"data,omitempty"`
	UID  string      `json:"uid"`
	NSP  string      `json:"nsp"`
}

// Payload is a JSON value that may hold binary values: their places hold
// socket.io placeholders ({"_placeholder":true,"num":i}) that refer to
// Attachments[i], as in a socket.io packet. Its JSON (MarshalJSON) is JSON
// with the placeholders: a transport writes a message whose Binary() is true
// as msgpack, with each placeholder replaced by its bytes (Node's Buffers).
type Payload struct {
	JSON        json.RawMessage
	Attachments [][]byte
}

// MarshalJSON implements json.Marshaler: the JSON as it is (null if empty).
func (p Payload) MarshalJSON() ([]byte, error) {
	if len(p.JSON) == 0 {
		return []byte("null"), nil
	}
	return p.JSON, nil
}

// UnmarshalJSON implements json.Unmarshaler: the JSON is kept as it is.
func (p *Payload) UnmarshalJSON(b []byte) error {
	p.JSON = append(json.RawMessage(nil), b...)
	return nil
}

// Packet is a socket.io packet as the cluster carries it: {type, data}, data
// being [event, ...args] (type 2, EVENT: Node never sends 5 here, its parser
// makes binary events when it encodes).
type Packet struct {
	Type int     `json:"type"`
	Data Payload `json:"data"`
}

// Options selects the sockets of a cluster operation, as Node encodes them.
type Options struct {
	Rooms  []string `json:"rooms"`
	Except []string `json:"except"`
	Flags  Flags    `json:"flags"`
}

// Flags are the broadcast flags Node sends (the others are ignored).
type Flags struct {
	Volatile bool  `json:"volatile,omitempty"`
	Compress *bool `json:"compress,omitempty"`
	Local    bool  `json:"local,omitempty"`
	Timeout  int64 `json:"timeout,omitempty"` // milliseconds
}

// BroadcastData is the data of a Broadcast message; RequestID is set for a
// broadcast with acks.
type BroadcastData struct {
	Packet    Packet  `json:"packet"`
	RequestID string  `json:"requestId,omitempty"`
	Opts      Options `json:"opts"`
}

// RoomsData is the data of SocketsJoin and SocketsLeave.
type RoomsData struct {
	Opts  Options  `json:"opts"`
	Rooms []string `json:"rooms"`
}

// DisconnectData is the data of DisconnectSockets.
type DisconnectData struct {
	Opts  Options `json:"opts"`
	Close bool    `json:"close"`
}

// FetchSocketsData is the data of FetchSockets.
type FetchSocketsData struct {
	Opts      Options `json:"opts"`
	RequestID string  `json:"requestId"`
}

// FetchSocketsResponseData is the data of FetchSocketsResponse.
type FetchSocketsResponseData struct {
	RequestID string       `json:"requestId"`
	Sockets   []SocketInfo `json:"sockets"`
}

// SocketInfo is a socket in a FetchSocketsResponse. Handshake is Node's
// handshake object (see NodeHandshake), Data the socket's data.
type SocketInfo struct {
	ID        string          `json:"id"`
	Handshake json.RawMessage `json:"handshake"`
	Rooms     []string        `json:"rooms"`
	Data      json.RawMessage `json:"data"`
}

// ServerSideEmitData is the data of ServerSideEmit: Packet is [event,
// ...args]; RequestID is set when the sender awaits acks.
type ServerSideEmitData struct {
	RequestID string  `json:"requestId,omitempty"`
	Packet    Payload `json:"packet"`
}

// ResponseData is the data of ServerSideEmitResponse and BroadcastAck: the
// first argument of the reply.
type ResponseData struct {
	RequestID string  `json:"requestId"`
	Packet    Payload `json:"packet"`
}

// ClientCountData is the data of BroadcastClientCount.
type ClientCountData struct {
	RequestID   string `json:"requestId"`
	ClientCount int    `json:"clientCount"`
}

// payload returns the part of m that may carry binary values (nil if none).
func (m *Message) payload() *Payload {
	switch d := m.Data.(type) {
	case *BroadcastData:
		return &d.Packet.Data
	case *ServerSideEmitData:
		return &d.Packet
	case *ResponseData:
		return &d.Packet
	}
	return nil
}

// Binary reports whether m carries binary values: a transport then writes it
// as msgpack (Node does the same test, hasBinary).
func (m *Message) Binary() bool {
	p := m.payload()
	return p != nil && len(p.Attachments) > 0
}

// Attachments returns the binary values m's placeholders refer to.
func (m *Message) Attachments() [][]byte {
	if p := m.payload(); p != nil {
		return p.Attachments
	}
	return nil
}

// SetAttachments gives m the binary values its placeholders refer to (a
// transport that decoded msgpack into JSON with placeholders).
func (m *Message) SetAttachments(att [][]byte) {
	if p := m.payload(); p != nil {
		p.Attachments = att
	}
}

// UnmarshalJSON implements json.Unmarshaler: Data gets the type of Type.
func (m *Message) UnmarshalJSON(b []byte) error {
	var env struct {
		Type MessageType     `json:"type"`
		Data json.RawMessage `json:"data"`
		UID  string          `json:"uid"`
		NSP  string          `json:"nsp"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	data, err := DecodeData(env.Type, env.Data)
	if err != nil {
		return err
	}
	*m = Message{Type: env.Type, Data: data, UID: env.UID, NSP: env.NSP}
	return nil
}

// DecodeData decodes the JSON data of a message of type t (a stream entry
// carries it apart from the type). Unknown types are not an error: their
// data is nil and the Adapter ignores them.
func DecodeData(t MessageType, data []byte) (any, error) {
	var v any
	switch t {
	case Broadcast:
		v = new(BroadcastData)
	case SocketsJoin, SocketsLeave:
		v = new(RoomsData)
	case DisconnectSockets:
		v = new(DisconnectData)
	case FetchSockets:
		v = new(FetchSocketsData)
	case FetchSocketsResponse:
		v = new(FetchSocketsResponseData)
	case ServerSideEmit:
		v = new(ServerSideEmitData)
	case ServerSideEmitResponse, BroadcastAck:
		v = new(ResponseData)
	case BroadcastClientCount:
		v = new(ClientCountData)
	default:
		return nil, nil
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("%w: %v without an object as data", ErrMalformed, t)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("%w: %v: %v", ErrMalformed, t, err)
	}
	if err := validate(v); err != nil {
		return nil, fmt.Errorf("%w: %v: %v", ErrMalformed, t, err)
	}
	return v, nil
}

// validate checks what the Adapter relies on beyond the JSON types.
func validate(v any) error {
	switch d := v.(type) {
	case *BroadcastData:
		if !isArray(d.Packet.Data.JSON) {
			return fmt.Errorf("packet data is not an array")
		}
	case *ServerSideEmitData:
		if !isArray(d.Packet.JSON) {
			return fmt.Errorf("packet is not an array")
		}
	}
	return nil
}

func isArray(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '['
}
