package engine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

func TestPollingHandshake(t *testing.T) {
	ts := newTestServer(t, nil, false)
	res := ts.do(t, "GET", "EIO=4&transport=polling&t=N8hyd6w", "", nil)
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	if ct := res.header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	hs := openHandshake(t, res.body)
	if len(hs.SID) != 20 || strings.ContainsAny(hs.SID, "+/=") {
		t.Errorf("sid %q", hs.SID)
	}
	if len(hs.Upgrades) != 1 || hs.Upgrades[0] != "websocket" || hs.PingInterval != 25000 ||
		hs.PingTimeout != 20000 || hs.MaxPayload != 1e6 {
		t.Errorf("handshake %+v", hs)
	}
	s := ts.session(t)
	if s.ID() != hs.SID || s.Transport() != "polling" {
		t.Errorf("session %q %q", s.ID(), s.Transport())
	}
	info := s.Request()
	if info.Query().Get("t") != "N8hyd6w" || info.Host == "" || info.RemoteAddr == "" ||
		!strings.HasPrefix(info.URL, "/engine.io/?EIO=4") || info.Secure || info.Header().Get("User-Agent") == "" {
		t.Errorf("request info %+v", info)
	}

	ts2 := newTestServer(t, &Options{DisableUpgrades: true}, false)
	if _, hs := ts2.handshake(t); len(hs.Upgrades) != 0 {
		t.Errorf("upgrades %v with DisableUpgrades", hs.Upgrades)
	}
}

func TestPollingSendReceive(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)

	res := ts.post(t, sid, "4hello\x1ebAQID\x1e4")
	if res.status != 200 || res.body != "ok" || res.header.Get("Content-Type") != "text/html" {
		t.Fatalf("POST: %d %q %v", res.status, res.body, res.header)
	}
	for _, want := range []eio.Packet{eio.TextMessage([]byte("hello")), eio.BinaryMessage([]byte{1, 2, 3}), {Type: eio.Message}} {
		got := ts.msg(t)
		if got.Type != want.Type || got.Binary != want.Binary || string(got.Data) != string(want.Data) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}

	// A GET waits until something is queued.
	done := make(chan response, 1)
	go func() { done <- ts.poll(t, sid) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("GET answered before anything was sent: %q", r.body)
	default:
	}
	if err := s.Send(eio.TextMessage([]byte("x")), eio.BinaryMessage([]byte{1, 2, 3, 4})); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.status != 200 || r.body != "4x\x1ebAQIDBA==" {
		t.Fatalf("GET: %d %q", r.status, r.body)
	}
	// Packets queued while no GET is pending come in one payload.
	_ = s.Send(eio.TextMessage([]byte("a")))
	_ = s.Send(eio.TextMessage([]byte("b")))
	if r := ts.poll(t, sid); r.body != "4a\x1e4b" {
		t.Fatalf("GET: %q", r.body)
	}
}

// TestPollingPostTooLarge: a POST over MaxHTTPBufferSize gets 413 and ends
// the session (issue 10 item 9), with a Content-Length or chunked.
func TestPollingPostTooLarge(t *testing.T) {
	ts := newTestServer(t, &Options{MaxHTTPBufferSize: 100}, false)
	sid, hs := ts.handshake(t)
	if hs.MaxPayload != 100 {
		t.Fatalf("maxPayload %d", hs.MaxPayload)
	}
	ts.session(t)
	// Within the limit: kept.
	if res := ts.post(t, sid, "4"+strings.Repeat("x", 99)); res.status != 200 {
		t.Fatalf("POST within the limit: %d", res.status)
	}
	if p := ts.msg(t); len(p.Data) != 99 {
		t.Fatalf("message of %d bytes", len(p.Data))
	}
	res := ts.post(t, sid, "4"+strings.Repeat("x", 100))
	if res.status != 413 || res.body != "" {
		t.Fatalf("POST: %d %q", res.status, res.body)
	}
	wantTooLargeClose(t, ts, sid)

	// Without Content-Length (chunked) too.
	sid, _ = ts.handshake(t)
	ts.session(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.base+"?EIO=4&transport=polling&sid="+sid,
		struct{ *strings.Reader }{strings.NewReader("4" + strings.Repeat("y", 200))})
	hres, err := ts.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hres.Body.Close()
	if hres.StatusCode != 413 {
		t.Fatalf("chunked POST: %d", hres.StatusCode)
	}
	wantTooLargeClose(t, ts, sid)
}

// wantTooLargeClose checks that session sid was closed for a POST over the
// limit.
func wantTooLargeClose(t *testing.T, ts *testServer, sid string) {
	t.Helper()
	ev := ts.closed(t)
	if ev.reason != ReasonTransportError || !errors.Is(ev.err, eio.ErrPayloadTooLarge) {
		t.Fatalf("close %q %v", ev.reason, ev.err)
	}
	if res := ts.poll(t, sid); res.status != 400 {
		t.Fatalf("GET after the 413: %d %q", res.status, res.body)
	}
}

func TestPollingOctetStream(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	res := ts.do(t, "POST", "EIO=4&transport=polling&sid="+sid, "4hello", map[string]string{"Content-Type": "application/octet-stream"})
	if res.status != 400 || res.body != "" {
		t.Fatalf("POST: %d %q", res.status, res.body)
	}
	if c := ts.closed(t); c.reason != ReasonTransportError || !errors.Is(c.err, ErrBinaryContent) {
		t.Fatalf("close %q %v", c.reason, c.err)
	}
	if res := ts.poll(t, sid); res.status != 400 || !strings.Contains(res.body, `"code":1`) {
		t.Fatalf("GET after close: %d %q", res.status, res.body)
	}
}

func TestPollingDuplicateGET(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	first := make(chan response, 1)
	go func() { first <- ts.poll(t, sid) }()
	waitGetPending(t, ts.session(t))
	if res := ts.poll(t, sid); res.status != 400 || res.body != "" {
		t.Fatalf("second GET: %d %q", res.status, res.body)
	}
	if res := <-first; res.status != 200 || res.body != "1" {
		t.Fatalf("first GET: %d %q", res.status, res.body)
	}
	if res := ts.poll(t, sid); res.status != 400 || res.body != `{"code":1,"message":"Session ID unknown"}` {
		t.Fatalf("third GET: %d %q", res.status, res.body)
	}
	if c := ts.closed(t); c.reason != ReasonTransportError || !errors.Is(c.err, ErrPollOverlap) {
		t.Fatalf("close %q %v", c.reason, c.err)
	}
}

// waitGetPending waits until s has a pending GET.
func waitGetPending(t *testing.T, s *Session) {
	t.Helper()
	for range 500 {
		s.mu.Lock()
		ok := s.getActive
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no GET pending")
}

func TestPollingAbortedGET(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.base+"?EIO=4&transport=polling&sid="+sid, nil)
	errc := make(chan error, 1)
	go func() {
		res, err := ts.ts.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	waitGetPending(t, s)
	cancel()
	<-errc
	if c := ts.closed(t); c.reason != ReasonTransportError || !errors.Is(c.err, ErrPollAborted) {
		t.Fatalf("close %q %v", c.reason, c.err)
	}
	if s.Context().Err() == nil {
		t.Fatal("session context not done")
	}
}

func TestPollingClientClose(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	pending := make(chan response, 1)
	go func() { pending <- ts.poll(t, sid) }()
	waitGetPending(t, ts.session(t))
	if res := ts.post(t, sid, "4bye\x1e1\x1e4never"); res.status != 200 || res.body != "ok" {
		t.Fatalf("POST: %d %q", res.status, res.body)
	}
	if res := <-pending; res.body != "6" {
		t.Fatalf("pending GET: %q", res.body)
	}
	if p := ts.msg(t); string(p.Data) != "bye" {
		t.Fatalf("message %q", p.Data)
	}
	if c := ts.closed(t); c.reason != ReasonTransportClose {
		t.Fatalf("close %q", c.reason)
	}
	select {
	case p := <-ts.msgs:
		t.Fatalf("message after close: %q", p.Data)
	default:
	}
	if res := ts.poll(t, sid); res.status != 400 {
		t.Fatalf("GET after close: %d", res.status)
	}
}

func TestPollingParseErrors(t *testing.T) {
	for _, body := range []string{"x", "4a\x1e\x1e4b", "b!!!", "9"} {
		ts := newTestServer(t, nil, false)
		sid, _ := ts.handshake(t)
		if res := ts.post(t, sid, body); res.status != 400 {
			t.Fatalf("POST %q: %d", body, res.status)
		}
		if c := ts.closed(t); c.reason != ReasonParseError || !errors.Is(c.err, eio.ErrInvalidPacket) {
			t.Fatalf("POST %q: close %q %v", body, c.reason, c.err)
		}
	}
}

func TestPollingServerClose(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	// Pending GET: it carries the queue and the close packet.
	pending := make(chan response, 1)
	go func() { pending <- ts.poll(t, sid) }()
	waitGetPending(t, s)
	_ = s.Send(eio.TextMessage([]byte("last")))
	s.Close(ReasonForcedClose)
	if err := s.Send(eio.TextMessage([]byte("x"))); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close: %v", err)
	}
	res := <-pending
	if res.body != "4last\x1e1" && res.body != "4last" {
		t.Fatalf("GET: %q", res.body)
	}
	if res.body == "4last" {
		if res := ts.poll(t, sid); res.body != "1" {
			t.Fatalf("next GET: %q", res.body)
		}
	}
	if c := ts.closed(t); c.reason != ReasonForcedClose {
		t.Fatalf("close %q", c.reason)
	}

	// No GET pending: the next GET carries them.
	sid, _ = ts.handshake(t)
	s = ts.session(t)
	_ = s.Send(eio.TextMessage([]byte("a")))
	s.Close(ReasonForcedClose)
	if res := ts.poll(t, sid); res.body != "4a\x1e1" {
		t.Fatalf("GET: %q", res.body)
	}
	if c := ts.closed(t); c.reason != ReasonForcedClose {
		t.Fatalf("close %q", c.reason)
	}
}

func TestClientPingCloses(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	ts.post(t, sid, "2")
	if c := ts.closed(t); c.reason != ReasonTransportError || !errors.Is(c.err, ErrInvalidHeartbeat) {
		t.Fatalf("close %q %v", c.reason, c.err)
	}
}

func TestPollingOverlappingPOST(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.base+"?EIO=4&transport=polling&sid="+sid, pr)
	first := make(chan int, 1)
	go func() {
		res, err := ts.ts.Client().Do(req)
		if err != nil {
			first <- 0
			return
		}
		res.Body.Close()
		first <- res.StatusCode
	}()
	if _, err := pw.Write([]byte("4slow")); err != nil {
		t.Fatal(err)
	}
	for range 500 { // wait until the first POST is being read
		s.mu.Lock()
		active := s.postActive
		s.mu.Unlock()
		if active {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if res := ts.post(t, sid, "4second"); res.status != 400 || res.body != "" {
		t.Fatalf("second POST: %d %q", res.status, res.body)
	}
	if c := ts.closed(t); c.reason != ReasonTransportError || !errors.Is(c.err, ErrPollOverlap) {
		t.Fatalf("close %q %v", c.reason, c.err)
	}
	pw.Close()
	<-first
	select {
	case p := <-ts.msgs:
		t.Fatalf("message from a POST of a closed session: %q", p.Data)
	default:
	}
}

// TestPollingBurstOneResponse: a burst of sends from outside the session's
// handler (a broadcast loop) whose sender is descheduled after its first
// packet and again in the middle still reaches the pending GET in one
// response: the woken GET yields before it takes the queue, again while the
// queue grows. On one P the test's Gosched calls are where a preempted
// broadcaster would let the GET run; before the yield, that GET answered
// with the first packet alone; with a single yield, with the first half.
func TestPollingBurstOneResponse(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	done := make(chan response, 1)
	go func() { done <- ts.poll(t, sid) }()
	for {
		s.mu.Lock()
		pending := s.getActive
		s.mu.Unlock()
		if pending {
			break
		}
		time.Sleep(time.Millisecond)
	}
	const n = 100
	want := make([]string, n)
	for i := range n {
		want[i] = "4m" + strconv.Itoa(i)
		if err := s.Send(eio.TextMessage([]byte(want[i][1:]))); err != nil {
			t.Fatal(err)
		}
		if i == 0 || i == n/2 {
			runtime.Gosched()
		}
	}
	r := <-done
	if got := strings.Split(r.body, "\x1e"); r.status != 200 || len(got) != n || got[n-1] != want[n-1] {
		t.Fatalf("one GET after a burst of %d: status %d, %d packets (%.40q...)", n, r.status, len(got), r.body)
	}
}
