// Package jsonstr writes JSON strings exactly as JavaScript's JSON.stringify
// does, for the protocol packages.
package jsonstr
