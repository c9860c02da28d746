package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/internal/ws"
)

// inlineServer serves sessions whose handler calls onMsg for each message
// (after it, the message is echoed unless the connection was closed);
// closes receives their close reasons.
func inlineServer(t *testing.T, onMsg func(s *Session, p eio.Packet)) (*testServer, chan *Session, chan string) {
	t.Helper()
	sessions, closes := make(chan *Session, 10), make(chan string, 10)
	srv := NewServer(&Options{
		Logger: discardLogger(),
		OnSession: func(s *Session) {
			s.SetHandler(handlerFunc{
				msg: func(p eio.Packet) {
					onMsg(s, p)
					if d := string(p.Data); d != "cut" && d != "hold" { // their connection is closed
						_ = s.Send(p)
					}
				},
				close: func(reason string, _ error) { closes <- reason },
			})
			sessions <- s
		},
	})
	return newRawServer(t, srv), sessions, closes
}

// busyRoundTrips makes a session busy: round trips past the reader's first
// hand-offs, close together, so that its reader stays inside the
// descriptor's read between messages (readInline).
func busyRoundTrips(t *testing.T, rc *rawClient) {
	t.Helper()
	for i := range 10 {
		want := fmt.Sprint("4warm", i)
		rc.write(frame(0x81, []byte(want)))
		if op, p := rc.read(); op != ws.OpText || string(p) != want {
			t.Fatalf("echo %d %q, want %q", op, p, want)
		}
	}
}

// TestInlineMessageDuringHandler: a message that arrives while the handler
// of the previous one runs (inside the reader's read of the descriptor) is
// read and handled once the handler returns: the reader's wait after the
// short read it made does not miss it.
func TestInlineMessageDuringHandler(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	ts, sessions, _ := inlineServer(t, func(_ *Session, p eio.Packet) {
		if string(p.Data) == "block" {
			entered <- struct{}{}
			<-release
		}
	})
	rc := ts.dialRaw(t, "")
	<-sessions
	busyRoundTrips(t, rc)
	for i := range 20 {
		rc.write(frame(0x81, []byte("4block")))
		<-entered
		after := fmt.Sprint("4after", i)
		rc.write(frame(0x81, []byte(after)))
		release <- struct{}{}
		for _, want := range []string{"4block", after} {
			if op, p := rc.read(); op != ws.OpText || string(p) != want {
				t.Fatalf("round %d: echo %d %q, want %q", i, op, p, want)
			}
		}
	}
}

// TestInlineCloseFromHandler: a handler that closes its session's
// connection (CloseNow on the reader's own goroutine, inside its read of
// the descriptor) does not hang it: the client sees the connection end and
// the session closes as a transport close.
func TestInlineCloseFromHandler(t *testing.T) {
	ts, sessions, closes := inlineServer(t, func(s *Session, p eio.Packet) {
		if string(p.Data) == "cut" {
			s.conn.CloseNow()
		}
	})
	rc := ts.dialRaw(t, "")
	<-sessions
	busyRoundTrips(t, rc)
	rc.write(frame(0x81, []byte("4cut")))
	rc.expectEOF()
	if reason := waitClose(t, closes); reason != ReasonTransportClose {
		t.Fatalf("close reason %q, want %q", reason, ReasonTransportClose)
	}
}

// TestInlineGracefulCloseFromHandler: a handler that closes its session
// (Close) gets the close handshake done by the reader still inside its
// read: the client gets the close packet and frame, answers, and the
// connection ends.
func TestInlineGracefulCloseFromHandler(t *testing.T) {
	ts, sessions, closes := inlineServer(t, func(s *Session, p eio.Packet) {
		if string(p.Data) == "bye" {
			s.Close("bye")
		}
	})
	rc := ts.dialRaw(t, "")
	<-sessions
	busyRoundTrips(t, rc)
	rc.write(frame(0x81, []byte("4bye")))
	if code := rc.readClose(); code != ws.CloseNormal {
		t.Fatalf("close code %d", code)
	}
	rc.write(frame(0x88, closePayload(ws.CloseNormal, "")))
	rc.expectEOF()
	if reason := waitClose(t, closes); reason != "bye" {
		t.Fatalf("close reason %q, want bye", reason)
	}
}

// TestInlineCloseFromOtherGoroutine: CloseNow from another goroutine while
// a busy session's reader waits inside its read of the descriptor, or runs
// a handler there, returns (it does not wait for the reader), and the
// reader ends the session.
func TestInlineCloseFromOtherGoroutine(t *testing.T) {
	for _, during := range []string{"wait", "handler"} {
		t.Run(during, func(t *testing.T) {
			entered, closed := make(chan struct{}), make(chan struct{})
			ts, sessions, closes := inlineServer(t, func(_ *Session, p eio.Packet) {
				if string(p.Data) == "hold" {
					close(entered)
					<-closed
				}
			})
			rc := ts.dialRaw(t, "")
			s := <-sessions
			busyRoundTrips(t, rc)
			if during == "handler" {
				rc.write(frame(0x81, []byte("4hold")))
				<-entered
			}
			done := make(chan struct{})
			go func() {
				s.conn.CloseNow()
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("CloseNow waits for the reader")
			}
			close(closed)
			rc.expectEOF()
			if reason := waitClose(t, closes); reason != ReasonTransportClose {
				t.Fatalf("close reason %q, want %q", reason, ReasonTransportClose)
			}
		})
	}
}

// waitClose returns the next close reason (bounded: a reader that hangs
// fails the test).
func waitClose(t *testing.T, closes chan string) string {
	t.Helper()
	select {
	case r := <-closes:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("session not closed")
		return ""
	}
}

// TestInlineReaderErrors: a protocol violation read inside the descriptor's
// read leaves it and closes with the violation's code, after the close
// handshake (DrainAndClose reads with blocking reads, outside).
func TestInlineReaderErrors(t *testing.T) {
	ts, sessions, closes := inlineServer(t, func(*Session, eio.Packet) {})
	rc := ts.dialRaw(t, "")
	<-sessions
	busyRoundTrips(t, rc)
	rc.write([]byte{0x81, 0x02, '4', 'x'}) // unmasked
	if code := rc.readClose(); code != ws.CloseProtocol {
		t.Fatalf("close code %d, want %d", code, ws.CloseProtocol)
	}
	rc.write(frame(0x88, closePayload(ws.CloseNormal, "")))
	rc.expectEOF()
	if reason := waitClose(t, closes); reason != ReasonTransportError {
		t.Fatalf("close reason %q", reason)
	}
}
