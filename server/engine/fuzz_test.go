package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// FuzzPollingPost feeds arbitrary POST bodies to a polling session, then
// polls it: the server never panics, answers every request, and the session
// is either open or cleanly closed.
func FuzzPollingPost(f *testing.F) {
	for _, seed := range []string{
		"4hello", "4a\x1e4b", "bAQID", "1", "2", "3", "2probe", "5", "6", "0", "", "\x1e", "4\x1e",
		"b", "b====", "x", "4a\x1e1\x1e4b", "3\x1e3\x1e3", "40/chat,{}", "4\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		closes := 0
		srv := NewServer(&Options{
			MaxHTTPBufferSize: 1 << 16,
			Logger:            discardLogger(),
			OnSession: func(s *Session) {
				s.SetHandler(handlerFunc{
					msg:   func(p eio.Packet) { _ = s.Send(p) },
					close: func(string, error) { closes++ },
				})
			},
		})
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Close(ctx); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if closes != 1 {
				t.Fatalf("%d OnClose calls", closes)
			}
		}()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/?EIO=4&transport=polling", nil))
		p, err := eio.DecodeText(rec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		hs, err := eio.ParseHandshake(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		url := "/?EIO=4&transport=polling&sid=" + hs.SID
		rec = httptest.NewRecorder()
		req := httptest.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest:
		default:
			t.Fatalf("POST %q: status %d", body, rec.Code)
		}
		if srv.SessionCount() == 1 {
			// Still open: a GET gets the echoes at once; with nothing
			// queued it would wait, so give it a context already done.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			rec = httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil).WithContext(ctx))
		}
	})
}

// chunkReader returns at most n bytes per Read: frames split anywhere.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[k:]
	return k, nil
}

// FuzzWSFrames feeds arbitrary bytes, read in chunks of any size, to the
// websocket frame reader (with and without permessage-deflate): it never
// panics or hangs, returns only messages within the size limit or the
// errors of a closed or broken connection, and gives its buffer back.
// Seed corpus: testdata/fuzz/FuzzWSFrames.
func FuzzWSFrames(f *testing.F) {
	const limit = 1 << 12
	for _, seed := range [][]byte{
		frame(0x81, []byte("4hello")),
		append(frame(0x01, []byte("4fr")), append(frame(0x89, []byte("p")), frame(0x80, []byte("ag"))...)...),
		frame(0x82, []byte{1, 2, 3}),
		frame(0x88, closePayload(1000, "bye")),
		frame(0xc1, compressForTest(f, []byte("4"+strings.Repeat("z", 300)))),
		{0x81, 0xfe, 0x10, 0x00, 1, 2, 3, 4},
		{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4},
		frame(0x81, []byte("4\xff")),
	} {
		f.Add(seed, false, uint8(0))
		f.Add(seed, true, uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, deflate bool, chunk uint8) {
		c := newWSConn(&fakeConn{r: &chunkReader{b: b, n: int(chunk) + 1}}, limit, deflate)
		for range 64 {
			op, p, err := c.readMessage()
			checkReadResult(t, op, p, err, limit)
			if err != nil {
				break
			}
		}
		c.drainAndClose()
		if c.rb != nil {
			t.Fatal("read buffer kept after the close")
		}
	})
}
