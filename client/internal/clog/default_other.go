//go:build !js

package clog

import "log/slog"

// Default is the logger the client uses when its options give none:
// slog.Default() at the time of the call.
func Default() Interface { return slog.Default() }
