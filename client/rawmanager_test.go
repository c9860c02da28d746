package client

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/duplexio/duplex/protocol/sio"
)

// rawManager returns a NewRawManager dialling a fake engine.
func rawManager(t *testing.T) (*Manager, *fakeEngine) {
	t.Helper()
	m, err := NewRawManager("http://example.test", &Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeEngine()
	m.dial = func(ctx context.Context) (conn, error) { return f, nil }
	t.Cleanup(m.Close)
	return m, f
}

// rawConnected is fakeConnected on a NewRawManager.
func rawConnected(t *testing.T, opts *SocketOptions) (*Socket, *fakeEngine) {
	t.Helper()
	m, f := rawManager(t)
	s := m.Socket("/", opts)
	if p := f.next(t); p != `0{"token":"t"}` {
		t.Fatalf("CONNECT %q", p)
	}
	cn := connected(s)
	f.feed(`0{"sid":"a"}`)
	recv(t, cn, "connect")
	return s, f
}

// TestRawManager: a NewRawManager sends raw and plain arguments as
// NewManager does (auth, events, binary, acks) and refuses the values that
// need reflection with sio.ErrUnsupportedValue.
func TestRawManager(t *testing.T) {
	s, f := rawConnected(t, &SocketOptions{Auth: json.RawMessage(`{"token":"t"}`)})
	if err := s.Emit("e", json.RawMessage(`{"b":2,"a":1}`), 1.5, "s", []byte{7}, map[string]any{"z": 1, "y": nil}); err != nil {
		t.Fatal(err)
	}
	if p := f.next(t); p != `51-["e",{"b":2,"a":1},1.5,"s",{"_placeholder":true,"num":0},{"y":null,"z":1}]` {
		t.Fatalf("event %q", p)
	}
	type point struct{ X int }
	if err := s.Emit("e", point{1}); !errors.Is(err, sio.ErrUnsupportedValue) {
		t.Fatalf("Emit(struct): %v", err)
	}
	if err := s.Emit("connect"); !errors.Is(err, ErrReservedEvent) {
		t.Fatalf("Emit(connect): %v", err)
	}
	acked := make(chan error, 2)
	s.On("bad", func(e *Event) { acked <- e.Ack(point{2}) })
	s.On("q", func(e *Event) {
		acked <- e.Ack(sio.RawWithAttachments{JSON: []byte(`[{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1}}})
	})
	f.feed(`23["bad"]`)
	if err := recv(t, acked, "ack"); !errors.Is(err, sio.ErrUnsupportedValue) {
		t.Fatalf("Ack(struct): %v", err)
	}
	f.feed(`24["q"]`)
	if err := recv(t, acked, "ack"); err != nil {
		t.Fatal(err)
	}
	if p := f.next(t); p != `61-4[[{"_placeholder":true,"num":0}]]` {
		t.Fatalf("ack %q", p)
	}
}

// TestRawManagerAuthRefused: an auth that needs reflection is a connect error.
func TestRawManagerAuthRefused(t *testing.T) {
	m, _ := rawManager(t)
	s := m.Socket("/", &SocketOptions{Auth: struct{ Token string }{"t"}})
	if err := recv(t, connectErrors(s), "connect_error"); !errors.Is(err, sio.ErrUnsupportedValue) {
		t.Fatalf("connect_error %v", err)
	}
}
