package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

const waitTimeout = 10 * time.Second

func TestEndpoint(t *testing.T) {
	o := (&Options{Query: url.Values{"k": {"v"}}}).withDefaults()
	for _, tc := range []struct{ base, transport, sid, want string }{
		{"http://h:1", Polling, "", "http://h:1/engine.io/?EIO=4&k=v&t=*&transport=polling"},
		{"https://h", WebSocket, "S", "wss://h/engine.io/?EIO=4&k=v&sid=S&transport=websocket"},
		{"ws://h", Polling, "S", "http://h/engine.io/?EIO=4&k=v&sid=S&t=*&transport=polling"},
		{"http://h/ignored", WebSocket, "", "ws://h/engine.io/?EIO=4&k=v&transport=websocket"},
	} {
		u, err := parseBase(tc.base)
		if err != nil {
			t.Fatal(err)
		}
		got := endpoint(u, &o, tc.transport, tc.sid)
		if i := strings.Index(got, "&t="); i >= 0 { // the cache buster is random
			j := strings.Index(got[i+1:], "&")
			got = got[:i] + "&t=*" + got[i+1+j:]
		}
		if got != tc.want {
			t.Errorf("endpoint(%s, %s, %q) = %s, want %s", tc.base, tc.transport, tc.sid, got, tc.want)
		}
	}
	for _, bad := range []string{"ftp://h", "http://", "::"} {
		if _, err := parseBase(bad); err == nil {
			t.Errorf("parseBase(%q): no error", bad)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := (*Options)(nil).withDefaults()
	if o.Path != DefaultPath || len(o.Transports) != 2 || o.Transports[0] != Polling || o.ReadLimit != DefaultReadLimit || o.Logger == nil {
		t.Fatalf("defaults %+v", o)
	}
	if p := (&Options{Path: "socket.io"}).withDefaults().Path; p != "/socket.io/" {
		t.Fatalf("path %q", p)
	}
	bad := (&Options{Transports: []string{"webtransport"}}).withDefaults()
	if err := bad.validate(); err == nil {
		t.Fatal("unknown transport accepted")
	}
	if _, err := Dial(context.Background(), "http://127.0.0.1:1", &Options{Transports: []string{"smoke"}}); err == nil {
		t.Fatal("Dial with an unknown transport")
	}
	if !o.canUpgrade(Polling, []string{WebSocket}) || o.canUpgrade(WebSocket, nil) || o.canUpgrade(Polling, nil) {
		t.Fatal("canUpgrade")
	}
}

func TestPollingBatch(t *testing.T) {
	p := &polling{maxPayload: 10}
	msg := func(n int) eio.Packet { return eio.TextMessage([]byte(strings.Repeat("x", n))) }
	for _, tc := range []struct {
		pkts []eio.Packet
		want int
	}{
		{[]eio.Packet{msg(3), msg(3)}, 2},         // 4 + 1 + 4 = 9
		{[]eio.Packet{msg(3), msg(3), msg(3)}, 2}, // 14 > 10
		{[]eio.Packet{msg(20), msg(1)}, 1},        // at least one
		{[]eio.Packet{msg(4), msg(4)}, 1},         // 5 + 1 + 5 = 11 > 10
	} {
		got := p.batch(tc.pkts)
		if got != tc.want {
			t.Errorf("batch of %d packets: %d, want %d", len(tc.pkts), got, tc.want)
		}
		size := eio.PayloadLen(tc.pkts[:got]...)
		if got < 1 || (got > 1 && size > p.maxPayload) {
			t.Errorf("batch %d packets: %d (payload %d)", len(tc.pkts), got, size)
		}
		if got < len(tc.pkts) && eio.PayloadLen(tc.pkts[:got+1]...) <= p.maxPayload {
			t.Errorf("batch %d packets: %d, one more fits", len(tc.pkts), got)
		}
	}
	if n := (&polling{}).batch(make([]eio.Packet, 5)); n != 5 {
		t.Fatalf("no maxPayload: %d", n)
	}
}

func TestDecodePayload(t *testing.T) {
	pkts, err := decodePayload([]byte("42[\"a\"]\x1e2\x1ebAQI="))
	if err != nil || len(pkts) != 3 || pkts[1].Type != eio.Ping || !pkts[2].Binary {
		t.Fatalf("%v %v", pkts, err)
	}
	_, err = decodePayload([]byte("x"))
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Reason != ReasonParseError {
		t.Fatalf("bad payload: %v", err)
	}
}

// fakeTransport is an in-memory transport: the test feeds reads and sees writes.
type fakeTransport struct {
	nm     string
	in     chan []eio.Packet
	out    chan []eio.Packet
	closed chan struct{}
	once   sync.Once
	rest   []eio.Packet // written, not yet seen by next
}

func newFake(name string) *fakeTransport {
	return &fakeTransport{nm: name, in: make(chan []eio.Packet, 16), out: make(chan []eio.Packet, 64), closed: make(chan struct{})}
}

func (f *fakeTransport) name() string { return f.nm }
func (f *fakeTransport) read(ctx context.Context) ([]eio.Packet, error) {
	select {
	case p := <-f.in:
		if p == nil {
			return nil, io.ErrUnexpectedEOF
		}
		return p, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-f.closed:
		return nil, io.EOF
	}
}
func (f *fakeTransport) batch(p []eio.Packet) int { return len(p) }
func (f *fakeTransport) write(ctx context.Context, p []eio.Packet) error {
	select {
	case f.out <- append([]eio.Packet(nil), p...):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (f *fakeTransport) close() { f.once.Do(func() { close(f.closed) }) }

func (f *fakeTransport) next(t *testing.T) eio.Packet {
	t.Helper()
	if len(f.rest) > 0 {
		p := f.rest[0]
		f.rest = f.rest[1:]
		return p
	}
	select {
	case p := <-f.out:
		if len(p) == 0 {
			t.Fatal("empty write")
		}
		f.rest = p[1:]
		return p[0]
	case <-time.After(waitTimeout):
		t.Fatal("no write")
		panic("unreachable")
	}
}

func fakeConn(tr transport, interval, timeout int64) *Conn {
	c := &Conn{opts: (&Options{NoUpgrade: true, Logger: slog.New(slog.DiscardHandler)}).withDefaults(),
		packets: make(chan eio.Packet, 64), changed: make(chan struct{}),
		hs: eio.Handshake{SID: "S", PingInterval: interval, PingTimeout: timeout}}
	c.log = c.opts.Logger
	c.start(tr, nil)
	return c
}

func closeReason(t *testing.T, c *Conn) string {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		select {
		case _, ok := <-c.Packets():
			if !ok {
				var ce *CloseError
				if !errors.As(c.Err(), &ce) {
					t.Fatalf("Err() = %v", c.Err())
				}
				return ce.Reason
			}
		case <-deadline:
			t.Fatal("session did not end")
		}
	}
}

func TestConnPingPongAndMessages(t *testing.T) {
	f := newFake(WebSocket)
	c := fakeConn(f, 10000, 10000)
	defer c.Close()
	f.in <- []eio.Packet{{Type: eio.Ping}, eio.TextMessage([]byte("hello")), {Type: eio.Noop}, eio.BinaryMessage([]byte{1})}
	if p := f.next(t); p.Type != eio.Pong {
		t.Fatalf("answer to ping: %v", p)
	}
	for _, want := range []string{"hello", "\x01"} {
		select {
		case p := <-c.Packets():
			if string(p.Data) != want {
				t.Fatalf("got %q want %q", p.Data, want)
			}
		case <-time.After(waitTimeout):
			t.Fatal("no packet")
		}
	}
	if err := c.Send(eio.TextMessage([]byte("a")), eio.TextMessage([]byte("b"))); err != nil {
		t.Fatal(err)
	}
	got := ""
	for got != "ab" {
		got += string(f.next(t).Data)
		if len(got) > 2 {
			t.Fatalf("writes %q", got)
		}
	}
	if c.ID() != "S" || c.Transport() != WebSocket || c.Upgrading() {
		t.Fatal("accessors")
	}
}

func TestConnServerClose(t *testing.T) {
	f := newFake(WebSocket)
	c := fakeConn(f, 10000, 10000)
	defer c.Close()
	f.in <- []eio.Packet{{Type: eio.Close}}
	if r := closeReason(t, c); r != ReasonTransportClose {
		t.Fatalf("reason %q", r)
	}
	if err := c.Send(eio.TextMessage(nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after close: %v", err)
	}
}

func TestConnPingTimeout(t *testing.T) {
	f := newFake(WebSocket)
	c := fakeConn(f, 20, 20)
	defer c.Close()
	if r := closeReason(t, c); r != ReasonPingTimeout {
		t.Fatalf("reason %q", r)
	}
}

func TestConnParseAndTransportErrors(t *testing.T) {
	f := newFake(WebSocket)
	c := fakeConn(f, 10000, 10000)
	f.in <- []eio.Packet{{Type: eio.Open}}
	if r := closeReason(t, c); r != ReasonParseError {
		t.Fatalf("reason %q", r)
	}
	c.Close()
	f = newFake(WebSocket)
	c = fakeConn(f, 10000, 10000)
	f.in <- nil // read error
	if r := closeReason(t, c); r != ReasonTransportError {
		t.Fatalf("reason %q", r)
	}
	c.Close()
}

func TestConnCloseFlushesAndSendsClose(t *testing.T) {
	f := newFake(Polling)
	c := fakeConn(f, 10000, 10000)
	if err := c.Send(eio.TextMessage([]byte("last"))); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var got []eio.Packet
	for len(f.out) > 0 {
		got = append(got, <-f.out...)
	}
	if len(got) != 2 || string(got[0].Data) != "last" || got[1].Type != eio.Close {
		t.Fatalf("written on close: %v", got)
	}
	var ce *CloseError
	if !errors.As(c.Err(), &ce) || ce.Reason != ReasonForcedClose {
		t.Fatalf("Err() = %v", c.Err())
	}
	c.Close() // twice is fine
}

// TestConnOnMessages: with Options.OnMessages the message packets of one
// read go to it in order, consecutive ones in one call, the others are
// handled between them; the Packets channel carries nothing and closes
// after the last call.
func TestConnOnMessages(t *testing.T) {
	f := newFake(WebSocket)
	var (
		mu    sync.Mutex
		calls []string
	)
	c := &Conn{opts: (&Options{NoUpgrade: true, Logger: slog.New(slog.DiscardHandler), OnMessages: func(pkts []eio.Packet) {
		var s string
		for _, p := range pkts {
			s += string(p.Data)
		}
		mu.Lock()
		calls = append(calls, s)
		mu.Unlock()
	}}).withDefaults(),
		packets: make(chan eio.Packet, 64), changed: make(chan struct{}),
		hs: eio.Handshake{SID: "S", PingInterval: 10000, PingTimeout: 10000}}
	c.log = c.opts.Logger
	c.start(f, nil)
	defer c.Close()
	f.in <- []eio.Packet{eio.TextMessage([]byte("a")), {Type: eio.Ping}, eio.TextMessage([]byte("b")), eio.TextMessage([]byte("c"))}
	if p := f.next(t); p.Type != eio.Pong {
		t.Fatalf("answer to ping: %v", p)
	}
	f.in <- []eio.Packet{eio.TextMessage([]byte("d")), {Type: eio.Close}, eio.TextMessage([]byte("e"))}
	if r := closeReason(t, c); r != ReasonTransportClose {
		t.Fatalf("reason %q", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(calls, "|"); got != "a|bc|d" {
		t.Fatalf("OnMessages calls %q, want a|bc|d", got)
	}
}
