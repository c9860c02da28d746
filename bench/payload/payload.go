// Package payload makes the JSON-like chat text of the benchmark's
// compressed broadcasts, identical in the duplex server, the load generator
// and bench/node/server.js (jsonLike there).
package payload

import (
	"strconv"
	"strings"
)

var words = [...]string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
	"sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"}

// JSONLike returns message id of size bytes: an object-like text without
// quotes or backslashes (it stays size bytes inside a JSON string),
// "{id:<id>,user:user<id%97>,room:lobby,text:" then words drawn by a 32-bit
// LCG seeded from id, cut to size-1 bytes, then "}". Different ids give
// different messages that compress like chat text (about 2-3x), not like a
// run of one byte.
func JSONLike(id, size int) string {
	var b strings.Builder
	b.Grow(size + 16)
	b.WriteString("{id:")
	b.WriteString(strconv.Itoa(id))
	b.WriteString(",user:user")
	b.WriteString(strconv.Itoa(id % 97))
	b.WriteString(",room:lobby,text:")
	x := uint32(id) * 2654435761
	for b.Len() < size {
		x = x*1103515245 + 12345
		b.WriteString(words[(x>>16)%uint32(len(words))])
		b.WriteByte(' ')
	}
	if size < 1 {
		return ""
	}
	return b.String()[:size-1] + "}"
}
