package client

import (
	"log/slog"
	"testing"
	"time"
)

// waitTimeout bounds every wait in the tests (hangs only).
const waitTimeout = 10 * time.Second

// recv waits for a value on ch or fails the test.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// connectThen is Connect with the handlers setup adds in place before the
// socket starts connecting (Options.Socket.NoAutoConnect, setup, then
// Socket.Connect, as client/doc.go advises): a handler added once Connect
// has returned misses a connect (or an event the server sends on connection)
// that came first, as when the test's goroutine is descheduled for the few
// milliseconds of a loopback handshake on a loaded machine.
func connectThen(url string, opts *Options, setup func(s *Socket)) *Socket {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.Socket.NoAutoConnect = true
	s := Connect(url, &o)
	setup(s)
	s.Connect()
	return s
}

// connected returns a channel that receives once per connect of s.
func connected(s *Socket) <-chan struct{} {
	ch := make(chan struct{}, 16)
	s.OnConnect(func() { ch <- struct{}{} })
	return ch
}

func disconnected(s *Socket) <-chan string {
	ch := make(chan string, 16)
	s.OnDisconnect(func(r string) { ch <- r })
	return ch
}

func connectErrors(s *Socket) <-chan error {
	ch := make(chan error, 16)
	s.OnConnectError(func(err error) { ch <- err })
	return ch
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
