package client

import (
	"encoding/json"
	"unsafe"

	"github.com/duplexio/duplex/internal/jsonread"
)

// sharedString returns the JSON string raw (quotes included) as a Go string
// that shares raw's bytes, when it is plain ASCII (no escape: the text is
// raw's inner bytes as they are). In the browser the bytes of a received
// packet are its own (each WebSocket frame is copied to a slice of its own,
// a polling response is a fresh body) and nothing writes them after, so a
// handler decoding a large string argument gets it without a copy and
// without a second allocation of its size: on a page written in Go receiving
// 16 KB events, that allocation was half of the garbage per event, and Go's
// collector runs on the page's main thread.
func sharedString(raw json.RawMessage) (string, bool) {
	n := len(raw)
	if n < 3 || raw[0] != '"' || raw[n-1] != '"' || !jsonread.PlainASCII(raw[1:n-1]) {
		return "", false
	}
	return unsafe.String(&raw[1], n-2), true
}
