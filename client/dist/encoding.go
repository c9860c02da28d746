package dist

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
)

// negotiate picks the content coding for an Accept-Encoding header: "br" (only
// when a brotli variant exists), "gzip", or "" for the identity. Codings with
// q=0 are refused; among the accepted ones brotli is preferred, then gzip.
func negotiate(accept string, haveBrotli bool) string {
	var br, gz float64 = -1, -1
	star := -1.0
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch name {
		case "br":
			br = q
		case "gzip", "x-gzip":
			gz = q
		case "*":
			star = q
		}
	}
	if br < 0 {
		br = star
	}
	if gz < 0 {
		gz = star
	}
	switch {
	case haveBrotli && br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	case haveBrotli && br > 0:
		return "br"
	}
	return ""
}

// gzip returns the gzip encoding of the body, made once, while the first
// request that wants it (and any other meanwhile) waits: at the default
// level, not the best (client.wasm: 1,078,961 B in 0.23 s, vs 1,073,383 B in
// 0.62 s at -9; a build that precompresses, as make wasm, pays neither).
func (f *file) gzip() []byte {
	f.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression) // the level is valid
		_, _ = zw.Write(f.body)                                   // writes to a bytes.Buffer do not fail
		_ = zw.Close()
		f.gz = b.Bytes()
	})
	return f.gz
}
