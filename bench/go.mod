module github.com/duplexio/duplex/bench

go 1.26

require github.com/duplexio/duplex v0.0.0-00010101000000-000000000000

replace github.com/duplexio/duplex => ..
