// Command wasmsize is a minimal program using the client, built by the
// client's tests for GOOS=js to check what the wasm binary links (net/http's
// client must not be) and how big it is.
package main

import (
	"fmt"

	"github.com/duplexio/duplex/client"
)

func main() {
	s := client.Connect("http://localhost:3000", nil)
	s.On("hello-server", func(e *client.Event) { fmt.Println(e.Args.Raw(0)) })
	_ = s.Emit("hello-message", "hello from client")
	select {}
}
