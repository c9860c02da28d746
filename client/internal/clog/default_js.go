//go:build js

package clog

import "os"

// Default is the logger the client uses when its options give none: in the
// browser build a Logger writing records at LevelInfo and above to
// os.Stderr (the console), so that slog's handlers stay out of the binary.
func Default() Interface { return New(os.Stderr, LevelInfo) }
