package engine

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// TestDeliverNeverConcurrent: two transports delivering at once (a POST and
// the websocket reader, around an upgrade) never run OnMessage
// concurrently: the second waits for the first, then runs, and both
// messages arrive.
func TestDeliverNeverConcurrent(t *testing.T) {
	srv := NewServer(&Options{Logger: discardLogger(), OnSession: func(*Session) {}})
	var inside, overlaps, calls atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	s := &Session{srv: srv}
	s.handler = handlerFunc{msg: func(p eio.Packet) {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		inside.Add(-1)
	}, close: func(string, error) {}}

	first := make(chan struct{})
	go func() {
		defer close(first)
		s.deliver(eio.TextMessage([]byte("a")), 0, nil, 0)
	}()
	<-entered
	second := make(chan struct{})
	go func() {
		defer close(second)
		s.deliver(eio.TextMessage([]byte("b")), 0, nil, 0)
	}()
	// The second deliver waits for the first: it makes dispatchDone.
	for {
		s.mu.Lock()
		waiting := s.dispatchDone != nil
		s.mu.Unlock()
		if waiting {
			break
		}
		select {
		case <-second:
			t.Fatal("the second deliver returned while the first handler ran")
		case <-time.After(time.Millisecond):
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d handler calls while the first blocks, want 1", n)
	}
	close(release)
	<-first
	<-second
	if n, o := calls.Load(), overlaps.Load(); n != 2 || o != 0 {
		t.Fatalf("%d calls, %d overlapping: want 2 and 0", n, o)
	}
	if s.dispatching || s.dispatchDone != nil {
		t.Fatal("dispatch state left set")
	}
}
