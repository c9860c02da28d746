// Package docs holds duplex's documentation (the Markdown files next to this
// one) and the tests that keep the README true: its Go snippets compile, and
// each is an Example that runs against a real server.
package docs
