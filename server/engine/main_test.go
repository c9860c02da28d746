package engine

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/internal/leakcheck"
	"github.com/duplexio/duplex/protocol/eio"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// closeEvent is one OnClose call.
type closeEvent struct {
	s      *Session
	reason string
	err    error
}

// recorder collects sessions, messages and closes of a test server; with
// echo it sends every message back.
type recorder struct {
	echo     bool
	sessions chan *Session
	msgs     chan eio.Packet
	closes   chan closeEvent
}

type recHandler struct {
	r *recorder
	s *Session
}

func (h recHandler) OnMessage(p eio.Packet) {
	if h.r.echo {
		_ = h.s.Send(p)
	}
	select {
	case h.r.msgs <- p:
	default:
	}
}

func (h recHandler) OnClose(reason string, err error) {
	h.r.closes <- closeEvent{h.s, reason, err}
}

// testServer is a Server mounted at /engine.io/ of an httptest.Server.
type testServer struct {
	*recorder
	srv    *Server
	ts     *httptest.Server // nil when served by Serve
	base   string           // http://host/engine.io/
	client *http.Client
}

func newTestServer(t *testing.T, opts *Options, echo bool) *testServer {
	t.Helper()
	rec, srv := newRecServer(opts, echo)
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", srv)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("Server.Close: %v", err)
		}
		ts.Close()
	})
	return &testServer{recorder: rec, srv: srv, ts: ts, base: ts.URL + "/engine.io/", client: ts.Client()}
}

// newRecServer returns a Server whose sessions rec records.
func newRecServer(opts *Options, echo bool) (*recorder, *Server) {
	rec := &recorder{
		echo:     echo,
		sessions: make(chan *Session, 100),
		msgs:     make(chan eio.Packet, 1000),
		closes:   make(chan closeEvent, 100),
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.OnSession = func(s *Session) {
		s.SetHandler(recHandler{rec, s})
		rec.sessions <- s
	}
	return rec, NewServer(&o)
}

// session returns the next session opened on the server.
func (r *recorder) session(t *testing.T) *Session {
	t.Helper()
	select {
	case s := <-r.sessions:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no session opened")
		return nil
	}
}

// msg returns the next message the server received.
func (r *recorder) msg(t *testing.T) eio.Packet {
	t.Helper()
	select {
	case p := <-r.msgs:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no message received")
		return eio.Packet{}
	}
}

// closed returns the next OnClose call.
func (r *recorder) closed(t *testing.T) closeEvent {
	t.Helper()
	select {
	case c := <-r.closes:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no session closed")
		return closeEvent{}
	}
}

// response is what a test HTTP request got.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the server and reads the whole response.
func (ts *testServer) do(t *testing.T, method, query, body string, header map[string]string) response {
	t.Helper()
	c := ts.client
	if c == nil {
		c = ts.ts.Client()
	}
	return doClient(t, c, method, ts.base+"?"+query, body, header)
}

// doURL sends a request to url (another server: the reference) and reads the
// whole response; the connection is not kept.
func doURL(t *testing.T, method, url, body string, header map[string]string) response {
	t.Helper()
	return doClient(t, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, method, url, body, header)
}

// doClient sends a request with c and reads the whole response.
func doClient(t *testing.T, c *http.Client, method, url, body string, header map[string]string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

// handshake opens a polling session and returns its sid.
func (ts *testServer) handshake(t *testing.T) (string, eio.Handshake) {
	t.Helper()
	res := ts.do(t, "GET", "EIO=4&transport=polling", "", nil)
	if res.status != 200 {
		t.Fatalf("handshake: %d %q", res.status, res.body)
	}
	p, err := eio.DecodeText([]byte(res.body))
	if err != nil || p.Type != eio.Open {
		t.Fatalf("handshake body %q: %v", res.body, err)
	}
	hs, err := eio.ParseHandshake(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	return hs.SID, hs
}

// poll sends a GET for sid and returns the response.
func (ts *testServer) poll(t *testing.T, sid string) response {
	t.Helper()
	return ts.do(t, "GET", "EIO=4&transport=polling&sid="+sid, "", nil)
}

// post sends a POST with body for sid and returns the response.
func (ts *testServer) post(t *testing.T, sid, body string) response {
	t.Helper()
	return ts.do(t, "POST", "EIO=4&transport=polling&sid="+sid, body, map[string]string{"Content-Type": "text/plain;charset=UTF-8"})
}

// dial opens a websocket to the server with query.
func (ts *testServer) dial(t *testing.T, query string) *websocket.Conn {
	t.Helper()
	return dialURL(t, ts.base, query)
}

// dialURL opens a websocket to base (an http:// URL) with query.
func dialURL(t *testing.T, base, query string) *websocket.Conn {
	t.Helper()
	c, _ := dialResponse(t, base, query)
	return c
}

// dialResponse is dialURL that also returns the handshake's response.
func dialResponse(t *testing.T, base, query string) (*websocket.Conn, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"?"+query, nil)
	if err != nil {
		t.Fatalf("dial ?%s: %v", query, err)
	}
	c.SetReadLimit(16 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c, res
}

// readFrame reads one frame as text ("4hello") or "<bin hex>".
func readFrame(t *testing.T, c *websocket.Conn) (websocket.MessageType, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("websocket read: %v", err)
	}
	return typ, string(b)
}

// writeText writes a text frame.
func writeText(t *testing.T, c *websocket.Conn, s string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		t.Fatalf("websocket write: %v", err)
	}
}

// readClosed reads until the websocket closes and returns the close status.
func readClosed(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 100 {
		_, _, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatal("websocket not closed")
			}
			return websocket.CloseStatus(err)
		}
	}
	t.Fatal("websocket not closed after 100 frames")
	return 0
}

// openHandshake decodes an open packet's text and checks its exact keys.
func openHandshake(t *testing.T, text string) eio.Handshake {
	t.Helper()
	if !strings.HasPrefix(text, "0{") {
		t.Fatalf("not an open packet: %q", text)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(text[1:]), &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 5 {
		t.Fatalf("handshake keys: %v", m)
	}
	for _, k := range []string{"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("handshake lacks %q: %s", k, text)
		}
	}
	hs, err := eio.ParseHandshake([]byte(text[1:]))
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// discardLogger returns a logger that drops everything.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
