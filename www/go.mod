module github.com/duplexio/duplex/www

go 1.26

require (
	github.com/duplexio/duplex v0.0.0-00010101000000-000000000000
	github.com/hack-pad/safejs v0.1.1
)

require github.com/coder/websocket v1.8.15 // indirect

replace github.com/duplexio/duplex => ..
