package engine

import (
	"crypto/rand"
	"encoding/base64"
)

// newSID returns a session id: 15 random bytes in base64url, 20 characters,
// like the reference (which uses base64 with '/' and '+' replaced).
func newSID() string {
	var b [15]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.URLEncoding.EncodeToString(b[:])
}
