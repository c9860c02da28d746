package eio

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/duplexio/duplex/protocol/internal/jsonstr"
)

// Handshake is the data of the open packet that starts every session. It has
// exactly the five keys the reference sends; durations are in milliseconds.
type Handshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

// AppendJSON appends the JSON form of h to dst, with the reference's keys in the
// reference's order; a nil Upgrades is written as [].
func (h Handshake) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"sid":`...)
	dst = jsonstr.Append(dst, h.SID)
	dst = append(dst, `,"upgrades":[`...)
	for i, u := range h.Upgrades {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, u)
	}
	dst = append(dst, `],"pingInterval":`...)
	dst = strconv.AppendInt(dst, h.PingInterval, 10)
	dst = append(dst, `,"pingTimeout":`...)
	dst = strconv.AppendInt(dst, h.PingTimeout, 10)
	dst = append(dst, `,"maxPayload":`...)
	dst = strconv.AppendInt(dst, h.MaxPayload, 10)
	return append(dst, '}')
}

// OpenPacket returns the open packet carrying h.
func (h Handshake) OpenPacket() Packet {
	n := 100 + len(h.SID) // the keys and three numbers of up to 13 digits
	for _, u := range h.Upgrades {
		n += len(u) + 3
	}
	return Packet{Type: Open, Data: h.AppendJSON(make([]byte, 0, n))}
}

// ParseHandshake decodes the data of an open packet. The sid is required; the
// other keys keep their zero value when absent, and unknown keys are ignored.
func ParseHandshake(data []byte) (Handshake, error) {
	var h Handshake
	if err := json.Unmarshal(data, &h); err != nil {
		return Handshake{}, fmt.Errorf("%w: bad handshake: %v", ErrInvalidPacket, err)
	}
	if h.SID == "" {
		return Handshake{}, fmt.Errorf("%w: handshake without sid", ErrInvalidPacket)
	}
	return h, nil
}
