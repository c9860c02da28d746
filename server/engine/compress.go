package engine

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// compressors holds reusable gzip and deflate (zlib, as HTTP's "deflate"
// means) writers for polling responses.
type compressors struct {
	gzip sync.Pool
	zlib sync.Pool
}

// acceptedEncoding returns "gzip", "deflate" or "" for an Accept-Encoding
// header: the acceptable one with the highest q, gzip first on ties (as the
// reference's `accepts(req).encodings(["gzip","deflate"])`).
func acceptedEncoding(header string) string {
	best, bestQ := "", 0.0
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q <= 0 {
			continue
		}
		switch name {
		case "gzip", "deflate":
		case "*":
			name = "gzip"
		default:
			continue
		}
		if q > bestQ || (q == bestQ && name == "gzip") {
			best, bestQ = name, q
		}
	}
	return best
}

// compress returns body compressed with enc ("gzip" or "deflate").
func (c *compressors) compress(enc string, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body)/2 + 64)
	var zw interface {
		io.Writer
		Close() error
	}
	switch enc {
	case "gzip":
		g, _ := c.gzip.Get().(*gzip.Writer)
		if g == nil {
			g = gzip.NewWriter(&buf)
		} else {
			g.Reset(&buf)
		}
		defer c.gzip.Put(g)
		zw = g
	default:
		z, _ := c.zlib.Get().(*zlib.Writer)
		if z == nil {
			z = zlib.NewWriter(&buf)
		} else {
			z.Reset(&buf)
		}
		defer c.zlib.Put(z)
		zw = z
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writePollBody writes a 200 polling response carrying body, compressed when
// it is large enough and the request accepts it.
func (srv *Server) writePollBody(w http.ResponseWriter, r *http.Request, body []byte) {
	h := w.Header()
	h["Content-Type"] = hdrTextPlain
	h["Cache-Control"] = hdrNoStore
	if srv.compressible(len(body)) {
		if enc := acceptedEncoding(r.Header.Get("Accept-Encoding")); enc != "" {
			if body, enc = srv.compressPoll(body, enc); enc != "" {
				h.Set("Content-Encoding", enc)
			}
		}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// compressible reports whether a polling response body of n bytes is
// compressed when the request accepts it.
func (srv *Server) compressible(n int) bool {
	t := srv.opts.HTTPCompressionThreshold
	return t > 0 && n >= t
}

// compressPoll returns body compressed with enc ("gzip" or "deflate") and
// enc; body as it is and "" when compressing fails.
func (srv *Server) compressPoll(body []byte, enc string) ([]byte, string) {
	z, err := srv.compressors.compress(enc, body)
	if err != nil {
		srv.log.Warn("engine: compressing a polling response", "err", err)
		return body, ""
	}
	return z, enc
}
