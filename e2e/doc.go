//go:build !js

// Package e2e holds duplex's browser end-to-end tests: headless Chromium
// (/usr/bin/chromium, driven by chromedp) loads real pages against our Go
// server, the demo server and the official Node socket.io@4.8.4 server.
//
// TestMain starts one browser for the test binary (fresh profile directory);
// each test opens tabs in fresh browser contexts, captures their console and
// uncaught exceptions and prints them when it fails. The wasm binaries
// (client.wasm, chat.wasm and the tests' Go page gopage.wasm) are built once
// with -trimpath -ldflags=-s -w, as `make wasm` does. A missing browser or
// Node fails the tests: run `make deps`.
//
// Sizes and page-load timings are reported, never asserted:
//
//	go test ./e2e -run TestMeasureLoad -v -loads 20 -brotli
//
// The chat screenshot in docs/ is made with
//
//	DUPLEX_CHAT_SCREENSHOT=$PWD/docs/chat.png go test ./e2e -run TestChat
package e2e
