module github.com/duplexio/duplex/adapter/redis/internal/admincluster

go 1.26.0

require (
	github.com/duplexio/duplex v0.0.0-00010101000000-000000000000
	github.com/duplexio/duplex/adapter/redis v0.0.0-00010101000000-000000000000
	github.com/duplexio/duplex/admin v0.0.0-00010101000000-000000000000
	golang.org/x/crypto v0.59.0
)

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/hack-pad/safejs v0.1.1 // indirect
	github.com/redis/rueidis v1.0.80 // indirect
	github.com/vmihailenco/msgpack/v5 v5.4.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace (
	github.com/duplexio/duplex => ../../../..
	github.com/duplexio/duplex/adapter/redis => ../..
	github.com/duplexio/duplex/admin => ../../../../admin
)
