//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/duplexio/duplex/client"
	"github.com/duplexio/duplex/client/wasm/internal/jsontext"
	"github.com/duplexio/duplex/internal/jsonread"
	"github.com/duplexio/duplex/protocol/sio"
	"github.com/hack-pad/safejs"
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

// jsBytes copies attachments into a new JS array of Uint8Arrays, or gives
// null when there are none.
func (v *jsValues) jsBytes(bufs [][]byte) (any, error) {
	if len(bufs) == 0 {
		return nil, nil
	}
	arr, err := v.array.New(len(bufs))
	if err != nil {
		return nil, err
	}
	for i, b := range bufs {
		u, err := v.uint8Array.New(len(b))
		if err != nil {
			return nil, err
		}
		if _, err := safejs.CopyBytesToJS(u, b); err != nil {
			return nil, err
		}
		if err := arr.SetIndex(i, u); err != nil {
			return nil, err
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
		if !jsonread.Valid(r) {
			return nil, errBadArgs
		}
		if len(bufs) == 0 || !bytes.Contains(r, []byte(`"_placeholder"`)) {
			out[i] = r
			continue
		}
		v := sio.RawWithAttachments{JSON: r, Attachments: bufs}
		if _, _, err := sio.AppendRawArgs(nil, v); err != nil {
			return nil, errors.Join(errBadArgs, err)
		}
		out[i] = v
	}
	return out, nil
}

// jsEvent returns the JSON text of a received event, its name first and
// then its arguments (placeholders kept): one string crosses to JavaScript
// instead of two.
func jsEvent(buf []byte, name string, a client.Args) []byte {
	buf = append(buf, '[')
	buf = jsontext.AppendString(buf, name)
	for _, r := range a.All() {
		buf = append(buf, ',')
		buf = append(buf, r...)
	}
	return append(buf, ']')
}

// jsArgs returns the JSON text of received arguments (placeholders kept).
func jsArgs(a client.Args) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range a.All() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteByte(']')
	return b.String()
}
