module github.com/duplexio/duplex/admin

go 1.26.0

require github.com/duplexio/duplex v0.0.0-00010101000000-000000000000

require golang.org/x/crypto v0.59.0 // indirect

replace github.com/duplexio/duplex => ..
