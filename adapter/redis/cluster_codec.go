package redis

import (
	"encoding/json"
	"fmt"

	"github.com/duplexio/duplex/adapter/redis/internal/notepack"
	"github.com/duplexio/duplex/server/cluster"
)

// The cluster messages of the streams and sharded modes travel as JSON, or
// as MessagePack when they carry binary values (Node's hasBinary test). In
// msgpack a binary value is a bin (a Node Buffer); in the Go message it is a
// placeholder of the JSON and an attachment. Both Node libraries' msgpack
// (notepack.io, @msgpack/msgpack) read what notepack writes here, and
// notepack reads both.

// marshalMsgpack returns v (a cluster message or its data, whose JSON holds
// placeholders for att) as msgpack.
func marshalMsgpack(v any, att [][]byte) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	tree, err := notepack.FromJSON(j, att)
	if err != nil {
		return nil, err
	}
	return notepack.Encode(tree)
}

// msgpackToJSON returns the msgpack value b as JSON with placeholders for its
// binary values, and those values.
func msgpackToJSON(b []byte) ([]byte, [][]byte, error) {
	tree, err := notepack.Decode(b)
	if err != nil {
		return nil, nil, err
	}
	var att [][]byte
	j, err := notepack.AppendJSON(nil, tree, &att)
	if err != nil {
		return nil, nil, err
	}
	return j, att, nil
}

// decodeClusterMessage decodes a whole cluster message, msgpack or JSON (first byte
// '{').
func decodeClusterMessage(b []byte) (*cluster.Message, error) {
	j, att := b, [][]byte(nil)
	if len(b) == 0 || b[0] != '{' {
		var err error
		if j, att, err = msgpackToJSON(b); err != nil {
			return nil, fmt.Errorf("%w: %v", cluster.ErrMalformed, err)
		}
	}
	m := new(cluster.Message)
	if err := json.Unmarshal(j, m); err != nil {
		return nil, err
	}
	m.SetAttachments(att)
	return m, nil
}

// decodeData decodes the data of a message of type t from its JSON, or from
// its msgpack when binary.
func decodeData(t cluster.MessageType, b []byte, binary bool) (any, error) {
	j, att := b, [][]byte(nil)
	if binary {
		var err error
		if j, att, err = msgpackToJSON(b); err != nil {
			return nil, fmt.Errorf("%w: %v", cluster.ErrMalformed, err)
		}
	}
	data, err := cluster.DecodeData(t, j)
	if err != nil {
		return nil, err
	}
	m := cluster.Message{Type: t, Data: data}
	m.SetAttachments(att)
	return m.Data, nil
}
