//go:build !js

package main

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseFrame: parseFrame on any bytes returns a header it can stand
// behind (lengths in range, the mask key inside b), errIncomplete only when
// more bytes could complete it, or a frameError; never a panic.
func FuzzParseFrame(f *testing.F) {
	for _, seed := range [][]byte{
		{0x81, 0x85, 1, 2, 3, 4, 'h', 'e', 'l', 'l', 'o'},   // masked text
		{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'},               // unmasked
		{0x82, 0xfe, 0x01, 0x00, 0, 0, 0, 0},                // 16-bit length
		{0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 9, 9, 9, 9},    // 64-bit length
		{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, // top bit set
		{0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4},                // control frame too long
		{0x08, 0x80, 1, 2, 3, 4},                            // fragmented close
		{0xc1, 0x80, 1, 2, 3, 4},                            // RSV1
		{0x81},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := parseFrame(b)
		var fe *frameError
		switch {
		case errors.Is(err, errIncomplete):
			if len(b) >= 14 {
				t.Fatalf("incomplete with %d bytes: a header is at most 14", len(b))
			}
			return
		case errors.As(err, &fe):
			if fe.code != closeProtocol && fe.code != closeTooBig {
				t.Fatalf("close code %d", fe.code)
			}
			return
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		}
		if fr.header < 6 || fr.header > 14 || fr.header > len(b) {
			t.Fatalf("header length %d of %d bytes", fr.header, len(b))
		}
		if n := fr.size - fr.header; n < 0 || n > maxPayload {
			t.Fatalf("payload length %d", n)
		}
		if fr.op >= opClose && (fr.size-fr.header > 125 || !fr.fin) {
			t.Fatal("bad control frame accepted")
		}
		if !bytes.Equal(fr.mask[:], b[fr.header-4:fr.header]) {
			t.Fatal("mask key not taken from the header")
		}
		p := bytes.Clone(b[fr.header:min(fr.size, len(b))])
		fr.unmask(p)
		fr.unmask(p)
		if !bytes.Equal(p, b[fr.header:min(fr.size, len(b))]) {
			t.Fatal("unmasking twice is not the identity")
		}
	})
}

// FuzzParseUpgrade: the hand-written upgrade request parser answers any
// bytes with a key or an HTTP status, never a panic.
func FuzzParseUpgrade(f *testing.F) {
	f.Add([]byte("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"))
	f.Add([]byte("POST /socket.io/ HTTP/1.1\r\n\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		key, status, msg := parseUpgrade(b)
		if key == nil && status == "" {
			t.Fatalf("neither a key nor a status (msg %q)", msg)
		}
	})
}

// FuzzPollPacket: the polling floor's packet handler on any bytes returns
// an error or queues a reply; never a panic.
func FuzzPollPacket(f *testing.F) {
	for _, seed := range []string{"40", "421[\"echo\",1,\"a\"]", "42[\"echo\"]", "42[\"bcast\",{\"count\":2,\"size\":3}]", "3", "6", "1", "4", "", "42[\"bcast\",]"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := newPollServer(nil)
		ps.maxBroadcast = 1 << 16
		s := &pollSession{id: "x", wake: make(chan struct{}, 1)}
		ps.sessions[s.id], ps.list = s, []*pollSession{s}
		_ = ps.onPacket(s, b)
	})
}
