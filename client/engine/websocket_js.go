//go:build js

package engine

import "github.com/coder/websocket"

// wsDialOptions: the browser's WebSocket takes no headers.
func wsDialOptions(*Options) *websocket.DialOptions { return nil }
