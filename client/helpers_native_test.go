//go:build !js

package client

import "encoding/json"

// Helpers of the tests that run natively only (the servers they talk to
// cannot be started from a js/wasm test).

// events returns a channel fed with every event of name on s.
func events(s *Socket, name string) <-chan *Event {
	ch := make(chan *Event, 64)
	s.On(name, func(e *Event) { ch <- e })
	return ch
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
