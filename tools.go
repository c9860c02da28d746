//go:build tools

// This file pins the modules duplex depends on, so that go mod tidy keeps them
// while the packages that import them are being written.

package tools

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/coder/websocket"
	_ "github.com/hack-pad/safejs"
)
