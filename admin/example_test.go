//go:build !js

package admin_test

import (
	"log"
	"net/http"

	"github.com/duplexio/duplex/admin"
	"github.com/duplexio/duplex/server"
	"golang.org/x/crypto/bcrypt"
)

// Instrument a server for the Socket.IO Admin UI: open the UI (the demo
// serves it at /admin/, or https://admin.socket.io), give the server's URL,
// the username and the password.
func ExampleInstrument() {
	io := server.New(nil)
	// Keep only the hash in your configuration: bcrypt, as the reference.
	hash, err := bcrypt.GenerateFromPassword([]byte("change me"), bcrypt.DefaultCost)
	if err != nil {
		log.Fatal(err)
	}
	a, err := admin.Instrument(io, admin.Options{
		Auth: &admin.BasicAuth{Username: "admin", PasswordHash: string(hash)},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	http.Handle("/socket.io/", io)
}
