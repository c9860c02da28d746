//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/hack-pad/safejs"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/protocol/sio"
)

// errBadArgs reports arguments from JavaScript that the loader did not
// encode as it should (each argument's JSON text, placeholders numbered).
var errBadArgs = errors.New("duplex: bad arguments from JavaScript")

// goBytes copies a JS array of Uint8Arrays into Go. It runs inside a JS
// callback, before the JS values may change.
func goBytes(arr safejs.Value) ([][]byte, error) {
	if arr.IsUndefined() || arr.IsNull() {
		return nil, nil
	}
	n, err := arr.Length()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, n)
	for i := range n {
		v, err := arr.Index(i)
		if err != nil {
			return nil, err
		}
		l, err := v.Length()
		if err != nil {
			return nil, err
		}
		out[i] = make([]byte, l)
		if _, err := safejs.CopyBytesToGo(out[i], v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// jsBytes copies attachments into a new JS array of Uint8Arrays.
func jsBytes(bufs [][]byte) (safejs.Value, error) {
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return safejs.Value{}, err
	}
	array, err := safejs.Global().Get("Array")
	if err != nil {
		return safejs.Value{}, err
	}
	arr, err := array.New(len(bufs))
	if err != nil {
		return safejs.Value{}, err
	}
	for i, b := range bufs {
		v, err := u8.New(len(b))
		if err != nil {
			return safejs.Value{}, err
		}
		if _, err := safejs.CopyBytesToJS(v, b); err != nil {
			return safejs.Value{}, err
		}
		if err := arr.SetIndex(i, v); err != nil {
			return safejs.Value{}, err
		}
	}
	return arr, nil
}

// goArgsJS is goArgs of the JS values args (an array of the JSON texts of
// the arguments) and buffers, as the loader passes them to emit and ack.
func goArgsJS(args, bufs safejs.Value) ([]any, error) {
	n, err := args.Length()
	if err != nil {
		return nil, err
	}
	texts := make([]string, n)
	for i := range n {
		v, err := args.Index(i)
		if err != nil {
			return nil, err
		}
		if v.Type() != safejs.TypeString {
			return nil, errBadArgs
		}
		if texts[i], err = v.String(); err != nil {
			return nil, err
		}
	}
	b, err := goBytes(bufs)
	if err != nil {
		return nil, err
	}
	return goArgs(texts, b)
}

// goArgs turns the JSON texts of arguments and their attachments into
// arguments for Emit or Ack. Without attachments every argument is passed as
// json.RawMessage, with attachments as sio.RawWithAttachments: either way its
// JSON is copied to the wire verbatim, keys in the order JavaScript wrote
// them (the loader numbers placeholders in text order, as the encoder does).
// The texts come from JSON.stringify; placeholders are checked here, so that
// a bad one throws in JavaScript.
func goArgs(texts []string, bufs [][]byte) ([]any, error) {
	out := make([]any, len(texts))
	for i, t := range texts {
		r := json.RawMessage(t)
		if !json.Valid(r) {
			return nil, errBadArgs
		}
		if len(bufs) == 0 || !bytes.Contains(r, []byte(`"_placeholder"`)) {
			out[i] = r
			continue
		}
		v := sio.RawWithAttachments{JSON: r, Attachments: bufs}
		if _, _, err := sio.MarshalArgs(v); err != nil {
			return nil, errors.Join(errBadArgs, err)
		}
		out[i] = v
	}
	return out, nil
}

// jsArgs returns the JSON text of received arguments (placeholders kept) and
// their attachments as a JS array, for the loader to rebuild.
func jsArgs(a client.Args) (string, safejs.Value, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range a.All() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteByte(']')
	bufs, err := jsBytes(a.Attachments())
	return b.String(), bufs, err
}
