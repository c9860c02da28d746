package sio

import "github.com/duplexio/duplex/internal/jsonread"

// validJSON reports whether d is one valid JSON value, exactly as json.Valid.
func validJSON(d []byte) bool { return jsonread.Valid(d) }

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000
