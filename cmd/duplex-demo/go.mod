module github.com/duplexio/duplex/cmd/duplex-demo

go 1.26.0

require github.com/duplexio/duplex v0.0.0-00010101000000-000000000000

replace github.com/duplexio/duplex => ../..

require (
	github.com/duplexio/duplex/admin v0.0.0-00010101000000-000000000000
	github.com/duplexio/duplex/metrics/prometheus v0.0.0-00010101000000-000000000000
	github.com/duplexio/duplex/www v0.0.0-00010101000000-000000000000
	github.com/prometheus/client_golang v1.25.0
	golang.org/x/crypto v0.59.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/hack-pad/safejs v0.1.1 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/pandatix/go-abnf v0.5.5 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/common v0.74.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/duplexio/duplex/www => ../../www

replace github.com/duplexio/duplex/admin => ../../admin

replace github.com/duplexio/duplex/metrics/prometheus => ../../metrics/prometheus
