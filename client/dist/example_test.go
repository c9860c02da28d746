package dist_test

import (
	"net/http"
	"os"

	"github.com/duplexio/duplex/client/dist"
)

// Serve the browser client built by `make wasm` at /socket.io/.
func ExampleHandler() {
	client := dist.Handler(os.DirFS("build/wasm"), nil)
	http.Handle("/socket.io/", client) // or server.Options{ServeClient: client}
}
