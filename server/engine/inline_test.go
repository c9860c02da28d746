package engine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// goroutinesCreated returns the number of goroutines the process started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestInlineReply: a handler's replies are written by the reader goroutine
// after the handler returns: a busy session's round trips start no
// goroutine each (the old flush goroutine per reply would start one per
// message).
func TestInlineReply(t *testing.T) {
	const n = 200
	srv := NewServer(echoOptions())
	ts := newRawServer(t, srv)
	c, err := rawWebsocket(ts.ts.Listener.Addr().String(), "/engine.io/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := frame(0x81, []byte("4ping"))
	reply := make([]byte, 2+5)
	roundTrip := func() {
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			t.Fatal(err)
		}
		if string(reply[2:]) != "4ping" {
			t.Fatalf("reply %q", reply)
		}
	}
	for range 10 { // past the reader's first hand-offs
		roundTrip()
	}
	before := goroutinesCreated()
	for range n {
		roundTrip()
	}
	// A reply may still get the flush goroutine when its handler is
	// descheduled past inlineWindow on a loaded machine: allow a few.
	if started := goroutinesCreated() - before; started > n/4 {
		t.Fatalf("%d goroutines started for %d round trips", started, n)
	}
}

// TestSendDuringSlowHandler: while a handler blocks, a send from another
// goroutine still reaches the client (it is not held back until the handler
// returns).
func TestSendDuringSlowHandler(t *testing.T) {
	started, release := make(chan *Session, 1), make(chan struct{})
	srv := NewServer(&Options{
		Logger: discardLogger(),
		OnSession: func(s *Session) {
			s.SetHandler(handlerFunc{msg: func(p eio.Packet) {
				_ = s.Send(eio.TextMessage([]byte("from handler")))
				started <- s
				<-release
			}, close: func(string, error) {}})
		},
	})
	hts := httptest.NewServer(srv)
	defer hts.Close()
	defer srv.Close(context.Background())
	defer close(release)
	c, err := rawWebsocket(hts.Listener.Addr().String(), "/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(frame(0x81, []byte("4go"))); err != nil {
		t.Fatal(err)
	}
	s := <-started
	time.Sleep(2 * inlineWindow)
	if err := s.Send(eio.TextMessage([]byte("from elsewhere"))); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := []byte("\x81\x0d4from handler\x81\x0f4from elsewhere")
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("while the handler blocks: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%q, want %q", got, want)
	}
}

// TestInlineReplyBackpressure: replies written by the reader inside its
// read of the descriptor (ws.Writer.EndFD) reach a client that reads them
// only after it sent all its messages: more than the socket buffers hold,
// so writes find the socket full and go on through the connection, in
// order and whole.
func TestInlineReplyBackpressure(t *testing.T) {
	const n, size = 600, 20 << 10 // 12 MB of replies, each in one batch
	pad := bytes.Repeat([]byte("x"), size)
	srv := NewServer(&Options{
		Logger:         discardLogger(),
		MaxQueuedBytes: 2 * n * size, // a stalled client, not a slow consumer to close
		OnSession: func(s *Session) {
			s.SetHandler(handlerFunc{msg: func(p eio.Packet) {
				_ = s.Send(eio.TextMessage(append(append([]byte(nil), p.Data...), pad...)))
			}, close: func(string, error) {}})
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", srv)
	hts := httptest.NewUnstartedServer(mux)
	hts.Listener = smallSendBuffers{hts.Listener} // writes find the socket full early
	hts.Start()
	defer hts.Close()
	defer srv.Close(context.Background())
	c, err := rawWebsocket(hts.Listener.Addr().String(), "/engine.io/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	var msgs []byte
	for i := range n {
		msgs = append(msgs, frame(0x81, fmt.Appendf(nil, "4%04d", i))...)
	}
	if _, err := c.Write(msgs); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	hdr := make([]byte, 4)
	for i := range n {
		if _, err := io.ReadFull(r, hdr); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if hdr[0] != 0x81 || hdr[1] != 126 {
			t.Fatalf("reply %d: frame header % x", i, hdr)
		}
		payload := make([]byte, int(hdr[2])<<8|int(hdr[3]))
		if _, err := io.ReadFull(r, payload); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		want := append(fmt.Appendf(nil, "4%04d", i), pad...)
		if !bytes.Equal(payload, want) {
			t.Fatalf("reply %d: %d bytes %q..., want %q...", i, len(payload), payload[:min(8, len(payload))], want[:8])
		}
	}
}

// smallSendBuffers gives the connections it accepts a small send buffer.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}
