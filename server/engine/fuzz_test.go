package engine

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
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
