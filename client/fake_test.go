package client

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/client/engine"
	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/protocol/sio"
)

// fakeEngine stands for an Engine.IO connection: the test reads what the
// client sends and feeds what the server would send.
type fakeEngine struct {
	sent chan eio.Packet
	pkts chan eio.Packet
	once sync.Once
	mu   sync.Mutex
	err  error
	dec  sio.Decoder
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{sent: make(chan eio.Packet, 256), pkts: make(chan eio.Packet, 64)}
}

func (f *fakeEngine) Send(pkts ...eio.Packet) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return engine.ErrClosed
	}
	for _, p := range pkts {
		f.sent <- p
	}
	return nil
}
func (f *fakeEngine) Packets() <-chan eio.Packet { return f.pkts }
func (f *fakeEngine) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
func (f *fakeEngine) Close() error      { f.end(engine.ReasonForcedClose); return nil }
func (f *fakeEngine) Transport() string { return "fake" }

// end closes the connection as if the transport ended with reason.
func (f *fakeEngine) end(reason string) {
	f.once.Do(func() {
		f.mu.Lock()
		f.err = &engine.CloseError{Reason: reason}
		f.mu.Unlock()
		close(f.pkts)
	})
}

// feed sends the server's packet text (without the Engine.IO '4').
func (f *fakeEngine) feed(text string, attachments ...[]byte) {
	f.pkts <- eio.TextMessage([]byte(text))
	for _, a := range attachments {
		f.pkts <- eio.BinaryMessage(a)
	}
}

// next returns the next Socket.IO packet the client sent, as text.
func (f *fakeEngine) next(t *testing.T) string {
	t.Helper()
	for {
		select {
		case p := <-f.sent:
			pk, ok, err := f.dec.Decode(p)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				return pk.String()
			}
		case <-time.After(waitTimeout):
			t.Fatal("the client sent nothing")
		}
	}
}

func (f *fakeEngine) nothingSent(t *testing.T) {
	t.Helper()
	select {
	case p := <-f.sent:
		t.Fatalf("unexpected packet %q", p.Data)
	case <-time.After(20 * time.Millisecond):
	}
}

// fakeManager returns a Manager whose connections are taken from dials (nil = dial error).
func fakeManager(t *testing.T, opts *Options) (*Manager, chan *fakeEngine) {
	if opts == nil {
		opts = &Options{}
	}
	opts.Logger = slog.New(slog.DiscardHandler)
	m, err := NewManager("http://example.test", opts)
	if err != nil {
		t.Fatal(err)
	}
	dials := make(chan *fakeEngine, 8)
	m.dial = func(ctx context.Context) (conn, error) {
		select {
		case f := <-dials:
			if f == nil {
				return nil, errors.New("connection refused")
			}
			return f, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	t.Cleanup(m.Close)
	return m, dials
}

func TestFakeConnectAndBuffers(t *testing.T) {
	m, dials := fakeManager(t, nil)
	s := m.Socket("/", &SocketOptions{Auth: map[string]string{"token": "t"}, SendBufferSize: 2})
	var order []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	s.OnConnect(func() { note("connect") })
	conn := connected(s) // after the note: handlers run in order
	s.On("early", func(e *Event) { note("early") })

	// emits while disconnected are buffered (bounded)
	if err := s.Emit("a", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Volatile().Emit("dropped"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Volatile().Timeout(time.Millisecond).EmitWithAck(context.Background(), "dropped"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("dropped volatile emit with ack: %v", err)
	}
	if err := s.Emit("b", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Emit("c", 3); !errors.Is(err, ErrBufferFull) {
		t.Fatalf("third buffered emit: %v", err)
	}
	if err := s.Emit("connect"); !errors.Is(err, ErrReservedEvent) {
		t.Fatalf("reserved: %v", err)
	}

	f := newFakeEngine()
	dials <- f
	if p := f.next(t); p != `0{"token":"t"}` {
		t.Fatalf("CONNECT %q", p)
	}
	f.feed(`2["early"]`) // before the CONNECT reply: buffered
	f.nothingSent(t)
	f.feed(`0{"sid":"abc"}`)
	recv(t, conn, "connect")
	if s.ID() != "abc" || !s.Connected() || s.Recovered() {
		t.Fatalf("id %q connected %v", s.ID(), s.Connected())
	}
	mu.Lock()
	if len(order) != 2 || order[0] != "early" || order[1] != "connect" {
		t.Fatalf("order %v", order)
	}
	mu.Unlock()
	for _, want := range []string{`2["a",1]`, `2["b",2]`} {
		if p := f.next(t); p != want {
			t.Fatalf("flushed %q want %q", p, want)
		}
	}
	if err := s.Volatile().Emit("v"); err != nil {
		t.Fatal(err)
	}
	if p := f.next(t); p != `2["v"]` {
		t.Fatalf("volatile %q", p)
	}
}

func TestFakeAcks(t *testing.T) {
	m, dials := fakeManager(t, nil)
	s := m.Socket("/admin", nil)
	f := newFakeEngine()
	dials <- f
	if p := f.next(t); p != `0/admin,` {
		t.Fatalf("CONNECT %q", p)
	}
	cn := connected(s)
	f.feed(`0/admin,{"sid":"x"}`)
	recv(t, cn, "connect")

	acks := make(chan Args, 4)
	for i := range 2 {
		if err := s.Emit("q", i, AckFunc(func(a Args, err error) {
			if err != nil {
				t.Error(err)
			}
			acks <- a
		})); err != nil {
			t.Fatal(err)
		}
	}
	if p := f.next(t); p != `2/admin,0["q",0]` {
		t.Fatalf("first ack id: %q", p)
	}
	if p := f.next(t); p != `2/admin,1["q",1]` {
		t.Fatalf("second ack id: %q", p)
	}
	f.feed(`3/admin,7["unknown"]`) // ignored
	f.feed(`61-/admin,1[{"_placeholder":true,"num":0}]`, []byte{1, 2})
	f.feed(`3/admin,0["zero"]`)
	a := recv(t, acks, "ack 1")
	var b []byte
	if err := a.Decode(0, &b); err != nil || len(b) != 2 {
		t.Fatalf("binary ack %v %v", b, err)
	}
	a = recv(t, acks, "ack 0")
	if string(a.Raw(0)) != `"zero"` {
		t.Fatalf("ack 0 %s", a.Raw(0))
	}

	// the server asks for an ack
	got := make(chan error, 2)
	s.On("ask", func(e *Event) {
		if !e.HasAck() {
			t.Error("no ack requested")
		}
		got <- e.Ack("yes", []byte{9})
		got <- e.Ack("again")
	})
	f.feed(`2/admin,5["ask"]`)
	if err := recv(t, got, "ack"); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, got, "second ack"); !errors.Is(err, ErrAlreadyAcked) {
		t.Fatalf("second ack: %v", err)
	}
	if p := f.next(t); p != `61-/admin,5["yes",{"_placeholder":true,"num":0}]` {
		t.Fatalf("ack sent %q", p)
	}

	// timeout, then disconnect fails the remaining acks
	errs := make(chan error, 4)
	if err := s.Timeout(10*time.Millisecond).Emit("slow", AckFunc(func(_ Args, err error) { errs <- err })); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, errs, "timeout"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("timeout: %v", err)
	}
	if err := s.Emit("pending", AckFunc(func(_ Args, err error) { errs <- err })); err != nil {
		t.Fatal(err)
	}
	d := disconnected(s)
	f.end(engine.ReasonTransportError)
	if r := recv(t, d, "disconnect"); r != "transport error" {
		t.Fatalf("reason %q", r)
	}
	if err := recv(t, errs, "ack after disconnect"); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("pending ack: %v", err)
	}
}

func TestFakeReconnectAndRecovery(t *testing.T) {
	m, dials := fakeManager(t, &Options{ReconnectionDelay: time.Millisecond, ReconnectionDelayMax: 2 * time.Millisecond})
	attempts := make(chan int, 8)
	reconnected := make(chan int, 1)
	reconnectErrs := make(chan error, 8)
	m.OnReconnectAttempt(func(n int) { attempts <- n })
	m.OnReconnect(func(n int) { reconnected <- n })
	m.OnReconnectError(func(err error) { reconnectErrs <- err })
	s := m.Socket("/", &SocketOptions{Auth: map[string]any{"user": "u", "offset": "mine"}})
	conn := connected(s)
	d := disconnected(s)
	f := newFakeEngine()
	dials <- f
	f.next(t)
	f.feed(`0{"sid":"one","pid":"P"}`)
	recv(t, conn, "connect")
	f.feed(`2["ev","a","OFF1"]`)
	f.feed(`2["ev","b","OFF2"]`)
	f.feed(`2["ev",1,2]`) // no string last argument: offset kept
	f.feed(`2["no-offset"]`)
	time.Sleep(10 * time.Millisecond)
	f.end(engine.ReasonPingTimeout)
	if r := recv(t, d, "disconnect"); r != "ping timeout" {
		t.Fatalf("reason %q", r)
	}
	if err := s.Emit("while-away"); err != nil {
		t.Fatal(err)
	}
	if n := recv(t, attempts, "attempt"); n != 1 {
		t.Fatalf("attempt %d", n)
	}
	dials <- nil // refused
	recv(t, reconnectErrs, "reconnect error")
	if n := recv(t, attempts, "attempt 2"); n != 2 {
		t.Fatalf("attempt %d", n)
	}
	f2 := newFakeEngine()
	dials <- f2
	if n := recv(t, reconnected, "reconnect"); n != 2 {
		t.Fatalf("reconnect after %d attempts", n)
	}
	// the user's offset key wins, pid is added (socket.io-client's Object.assign({pid, offset}, auth))
	if p := f2.next(t); p != `0{"offset":"mine","pid":"P","user":"u"}` {
		t.Fatalf("CONNECT %q", p)
	}
	f2.feed(`2["ev","missed","OFF3"]`)
	f2.feed(`0{"sid":"one","pid":"P"}`)
	recv(t, conn, "reconnect")
	if !s.Recovered() || s.ID() != "one" {
		t.Fatalf("recovered %v id %q", s.Recovered(), s.ID())
	}
	if p := f2.next(t); p != `2["while-away"]` {
		t.Fatalf("buffered %q", p)
	}
	s.mu().Lock()
	off := s.lastOffset
	s.mu().Unlock()
	if off != "OFF3" {
		t.Fatalf("offset %q", off)
	}
}

func (s *Socket) mu() *sync.Mutex { return &s.m.mu }

func TestFakeServerDisconnectAndParseError(t *testing.T) {
	m, dials := fakeManager(t, &Options{ReconnectionDelay: time.Millisecond})
	s := m.Socket("/", nil)
	d := disconnected(s)
	f := newFakeEngine()
	dials <- f
	f.next(t)
	f.feed(`0{"sid":"a"}`)
	f.feed(`1`)
	if r := recv(t, d, "disconnect"); r != "io server disconnect" {
		t.Fatalf("reason %q", r)
	}
	if s.Active() || f.Err() == nil {
		t.Fatal("socket active or connection open after a server disconnect")
	}

	s.Connect()
	f2 := newFakeEngine()
	dials <- f2
	f2.next(t)
	cn := connected(s)
	f2.feed(`0{"sid":"b"}`)
	recv(t, cn, "connect")
	f2.feed(`2["disconnect"]`) // reserved name from the server: parse error
	if r := recv(t, d, "disconnect"); r != "parse error" {
		t.Fatalf("reason %q", r)
	}
}

func TestFakeConnectErrorAndReconnectFailed(t *testing.T) {
	m, dials := fakeManager(t, &Options{ReconnectionAttempts: 2, ReconnectionDelay: time.Millisecond})
	failed := make(chan struct{}, 1)
	m.OnReconnectFailed(func() { failed <- struct{}{} })
	s := m.Socket("/", nil)
	errs := connectErrors(s)
	for range 3 {
		dials <- nil
		recv(t, errs, "connect error")
	}
	recv(t, failed, "reconnect failed")

	s2 := m.Socket("/admin", nil)
	errs2 := connectErrors(s2)
	f := newFakeEngine()
	dials <- f
	f.next(t)
	f.feed(`4/admin,{"message":"nope","data":{"x":1}}`)
	var ce *ConnectError
	if err := recv(t, errs2, "connect_error"); !errors.As(err, &ce) || ce.Message != "nope" || string(ce.Data) != `{"x":1}` {
		t.Fatalf("connect error %v", err)
	}
}

func TestTypedOn(t *testing.T) {
	m, dials := fakeManager(t, nil)
	s := m.Socket("/", nil)
	type chat struct {
		Room string `json:"room"`
		Text string `json:"text"`
	}
	got := make(chan chat, 2)
	On(s, "chat", func(e *Event, c chat) { got <- c })
	f := newFakeEngine()
	dials <- f
	f.next(t)
	f.feed(`0{"sid":"a"}`)
	f.feed(`2["chat","not an object"]`) // decode error: logged, not called
	f.feed(`2["chat",{"room":"r","text":"hi"}]`)
	if c := recv(t, got, "chat"); c.Room != "r" || c.Text != "hi" {
		t.Fatalf("%+v", c)
	}
	// Once and Off
	n := make(chan string, 4)
	s.Once("o", func(e *Event) { n <- "once" })
	s.OnAny(func(e *Event) { n <- "any " + e.Name })
	f.feed(`2["o"]`)
	f.feed(`2["o"]`)
	for _, want := range []string{"any o", "once", "any o"} {
		if got := recv(t, n, want); got != want {
			t.Fatalf("got %q want %q", got, want)
		}
	}
	s.OffAny()
	s.Off("chat")
	f.feed(`2["chat",{}]`)
	f.feed(`2["o"]`)
	select {
	case v := <-n:
		t.Fatalf("handler after Off: %v", v)
	case v := <-got:
		t.Fatalf("handler after Off: %v", v)
	case <-time.After(20 * time.Millisecond):
	}
}

// fakeConnected returns a socket of the main namespace with opts, connected
// (sid "a") over a fake connection.
func fakeConnected(t *testing.T, opts *SocketOptions) (*Socket, *fakeEngine) {
	t.Helper()
	m, dials := fakeManager(t, nil)
	s := m.Socket("/", opts)
	f := newFakeEngine()
	dials <- f
	f.next(t)
	cn := connected(s)
	f.feed(`0{"sid":"a"}`)
	recv(t, cn, "connect")
	return s, f
}

func TestFakeRetries(t *testing.T) {
	s, f := fakeConnected(t, &SocketOptions{Retries: 2, AckTimeout: 20 * time.Millisecond})
	res := make(chan error, 4)
	if err := s.Emit("r", 1, AckFunc(func(_ Args, err error) { res <- err })); err != nil {
		t.Fatal(err)
	}
	if err := s.Emit("r", 2); err != nil { // queued behind the first
		t.Fatal(err)
	}
	for i := range 3 { // first try + 2 retries, each with a new ack id
		if p, want := f.next(t), `2`+string(rune('0'+i))+`["r",1]`; p != want {
			t.Fatalf("try %d: %q want %q", i, p, want)
		}
	}
	if err := recv(t, res, "final error"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("after retries: %v", err)
	}
	if p := f.next(t); p != `23["r",2]` {
		t.Fatalf("next queued %q", p)
	}
	f.feed(`33[]`)
	f.nothingSent(t)
}

func TestFakeConnectTimeoutAndDoubleConnect(t *testing.T) {
	m, dials := fakeManager(t, &Options{Timeout: 30 * time.Millisecond, NoReconnection: true})
	s := m.Socket("/", nil)
	if err := recv(t, connectErrors(s), "connect timeout"); !errors.Is(err, ErrConnectTimeout) {
		t.Fatalf("err %v", err)
	}
	s.Connect()
	f := newFakeEngine()
	dials <- f
	if p := f.next(t); p != "0" {
		t.Fatalf("CONNECT %q", p)
	}
	s.Connect() // waiting for the reply: no second CONNECT (the server would close the session)
	f.nothingSent(t)
	cn := connected(s)
	f.feed(`0{"sid":"a"}`)
	recv(t, cn, "connect")
	s.Disconnect()
	if p := f.next(t); p != "1" {
		t.Fatalf("DISCONNECT %q", p)
	}
}

func TestFakeRetriesCancel(t *testing.T) {
	s, f := fakeConnected(t, &SocketOptions{Retries: 2, AckTimeout: 300 * time.Millisecond})

	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { _, err := s.EmitWithAck(ctx, "r", 1); res <- err }()
	if p := f.next(t); p != `20["r",1]` {
		t.Fatalf("first try %q", p)
	}
	cancel()
	if err := recv(t, res, "cancelled emit"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// the cancelled packet left the queue: the next one goes out at once and
	// "r",1 is never retried, even after its ack timeout
	if err := s.Emit("r", 2); err != nil {
		t.Fatal(err)
	}
	if p := f.next(t); p != `21["r",2]` {
		t.Fatalf("after cancel %q", p)
	}
	f.feed(`30[]`) // a late ack of the cancelled try is ignored
	f.feed(`31[]`)
	select {
	case p := <-f.sent:
		t.Fatalf("sent after cancel: %q", p.Data)
	case <-time.After(500 * time.Millisecond): // longer than AckTimeout
	}
}
