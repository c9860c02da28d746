package eio

import (
	"strconv"

	"github.com/duplexio/duplex/internal/jsonread"
	"github.com/duplexio/duplex/internal/wrap"
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
// It accepts what json.Unmarshal into a Handshake accepts, with the same
// result (keys matched case-insensitively, the last of duplicates wins, null
// leaves a field as it is), without encoding/json's decoder.
func ParseHandshake(data []byte) (Handshake, error) {
	var h Handshake
	bad := ""
	ok := jsonread.Object(data, func(key string, v []byte) bool {
		if jsonread.IsNull(v) {
			if jsonread.KeyMatches(key, "upgrades") {
				h.Upgrades = nil
			}
			return true
		}
		good := true
		switch {
		case jsonread.KeyMatches(key, "sid"):
			h.SID, good = jsonread.Unquote(v)
		case jsonread.KeyMatches(key, "upgrades"):
			h.Upgrades = []string{}
			good = jsonread.Array(v, func(e []byte) bool {
				s, ok := "", true
				if !jsonread.IsNull(e) {
					s, ok = jsonread.Unquote(e)
				}
				h.Upgrades = append(h.Upgrades, s)
				good = ok
				return ok
			}) && good
		case jsonread.KeyMatches(key, "pingInterval"):
			h.PingInterval, good = jsonread.Int64(v)
		case jsonread.KeyMatches(key, "pingTimeout"):
			h.PingTimeout, good = jsonread.Int64(v)
		case jsonread.KeyMatches(key, "maxPayload"):
			h.MaxPayload, good = jsonread.Int64(v)
		}
		if !good {
			bad = key
			return false
		}
		return true
	})
	switch {
	case !ok:
		return Handshake{}, wrap.With(ErrInvalidPacket, "bad handshake: not a JSON object")
	case bad != "":
		return Handshake{}, wrap.With(ErrInvalidPacket, "bad handshake: wrong type for "+strconv.Quote(bad))
	case h.SID == "":
		return Handshake{}, wrap.With(ErrInvalidPacket, "handshake without sid")
	}
	return h, nil
}
