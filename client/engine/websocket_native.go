//go:build !js

package engine

import (
	"net/http"

	"github.com/coder/websocket"
)

func wsDialOptions(o *Options) *websocket.DialOptions {
	return &websocket.DialOptions{HTTPHeader: http.Header(o.Header)}
}
