//go:build !js

package sio

// nativeStd: natively, std writes values with encoding/json (see argEncoder.native).
const nativeStd = false
