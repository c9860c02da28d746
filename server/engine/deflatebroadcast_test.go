package engine

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/duplexio/duplex/protocol/eio"
	"github.com/duplexio/duplex/server/internal/ws"
)

// TestWebsocketDeflateBroadcastOnce: a message sent to many sessions that
// negotiated permessage-deflate is compressed once for all of them (no
// context takeover: the compressed form depends on the message alone), and
// every recipient gets a compressed frame (RSV1) that inflates to it; a
// session without the extension gets it uncompressed.
func TestWebsocketDeflateBroadcastOnce(t *testing.T) {
	const n = 20
	ts := newTestServer(t, &Options{PerMessageDeflate: true}, false)
	ext := "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
	var clients []*rawClient
	var sessions []*Session
	for range n {
		clients = append(clients, ts.dialRaw(t, ext))
		sessions = append(sessions, ts.session(t))
	}
	plain := ts.dialRaw(t, "")
	sessions = append(sessions, ts.session(t))

	msgs := make([][]byte, 3)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, `42["msg",{"i":%d,"text":%q}]`, i, strings.Repeat(fmt.Sprintf("json-like %d ", i), 150))
	}
	before := ts.srv.deflate.Compressions()
	for _, m := range msgs {
		for _, s := range sessions { // a broadcast: the same packets to every session
			if err := s.Send(eio.TextMessage(m)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, rc := range clients {
		for _, m := range msgs {
			b0, p := readRawFrame(t, rc)
			if b0 != 0x80|0x40|ws.OpText {
				t.Fatalf("client %d: first byte %#x, want a compressed final text frame", i, b0)
			}
			if got := inflateForTest(t, p); !bytes.Equal(got, append([]byte("4"), m...)) {
				t.Fatalf("client %d: inflated %d bytes, want %q...", i, len(got), m[:20])
			}
		}
	}
	for _, m := range msgs {
		if b0, p := readRawFrame(t, plain); b0 != 0x80|ws.OpText || !bytes.Equal(p, append([]byte("4"), m...)) {
			t.Fatalf("plain client: %#x, %d bytes", b0, len(p))
		}
	}
	if got := ts.srv.deflate.Compressions() - before; got != uint64(len(msgs)) {
		t.Fatalf("%d compressions for %d messages broadcast to %d sessions, want %d", got, len(msgs), n, len(msgs))
	}
}

// readRawFrame reads one server frame and returns its first byte and its
// payload.
func readRawFrame(t *testing.T, rc *rawClient) (byte, []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(rc.br, h[:]); err != nil {
		t.Fatal(err)
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(rc.br, b[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(rc.br, b[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint64(b[:]))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(rc.br, p); err != nil {
		t.Fatal(err)
	}
	return h[0], p
}

// inflateForTest inflates a permessage-deflate payload (tail stripped).
func inflateForTest(t *testing.T, p []byte) []byte {
	t.Helper()
	r := flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff})))
	out, err := io.ReadAll(r)
	if err != nil && err != io.ErrUnexpectedEOF {
		t.Fatalf("inflate: %v", err)
	}
	return out
}
