// Package weburl holds the URL handling the client needs in the browser
// build without net/url: importing net/url at all links net/netip's and
// unique's initialisation, net/url's parser and its internal/godebug
// settings into client.wasm (~200 KB of the binary, ~37 KB brotli).
//
// Parse (GOOS=js only) reads a URL with the browser's URL (through safejs);
// EscapePath, EncodeQuery and Unescape write and read URL parts as net/url's
// URL.EscapedPath, Values.Encode and PathUnescape do (checked against
// net/url by a native fuzz test). Natively the client keeps using net/url.
package weburl
