module github.com/duplexio/duplex/cmd/duplex-demo

go 1.26

require github.com/duplexio/duplex v0.0.0-00010101000000-000000000000

replace github.com/duplexio/duplex => ../..

require github.com/duplexio/duplex/www v0.0.0-00010101000000-000000000000

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/hack-pad/safejs v0.1.1 // indirect
)

replace github.com/duplexio/duplex/www => ../../www
