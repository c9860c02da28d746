//go:build js

package sio

// nativeStd: the browser build writes the values std is given itself
// (argEncoder.native) rather than with encoding/json.
const nativeStd = true
