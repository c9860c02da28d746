package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/duplexio/duplex/protocol/eio"
)

func TestUpgrade(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	pending := make(chan response, 1)
	go func() { pending <- ts.poll(t, sid) }()
	waitGetPending(t, s)

	c := ts.dial(t, "EIO=4&transport=websocket&sid="+sid)
	// A second websocket for the same session is accepted and closed at
	// once (TestSecondWebsocket).
	c2 := dialURL(t, ts.base, "EIO=4&transport=websocket&sid="+sid)
	if code := readClosed(t, c2); code != websocket.StatusNoStatusRcvd {
		t.Fatalf("second websocket closed with %d", code)
	}
	writeText(t, c, "2probe")
	if _, f := readFrame(t, c); f != "3probe" {
		t.Fatalf("probe answer %q", f)
	}
	// The pending GET is released with a noop, and so is a new one.
	if res := <-pending; res.body != "6" {
		t.Fatalf("pending GET: %q", res.body)
	}
	if res := ts.poll(t, sid); res.body != "6" {
		t.Fatalf("GET during probe: %q", res.body)
	}
	// Packets sent during the probe still go over polling.
	_ = s.Send(eio.TextMessage([]byte("during")))
	if res := ts.poll(t, sid); res.body != "4during" {
		t.Fatalf("GET during probe: %q", res.body)
	}
	if s.Transport() != "polling" {
		t.Fatal("upgraded before 5")
	}
	// Queued before the upgrade, flushed over the websocket after it.
	_ = s.Send(eio.TextMessage([]byte("queued")))
	writeText(t, c, "5")
	if _, f := readFrame(t, c); f != "4queued" {
		t.Fatalf("after upgrade: %q", f)
	}
	if s.Transport() != "websocket" {
		t.Fatal("not upgraded")
	}
	_ = s.Send(eio.TextMessage([]byte("ws")))
	if _, f := readFrame(t, c); f != "4ws" {
		t.Fatalf("after upgrade: %q", f)
	}
	writeText(t, c, "4up")
	if p := ts.msg(t); string(p.Data) != "up" {
		t.Fatalf("message %q", p.Data)
	}
	for _, m := range []string{"GET", "POST"} {
		if res := ts.do(t, m, "EIO=4&transport=polling&sid="+sid, "4x", nil); res.status != 400 || res.body != `{"code":3,"message":"Bad request"}` {
			t.Fatalf("%s after upgrade: %d %q", m, res.status, res.body)
		}
	}
	// Another websocket for an upgraded session is accepted and closed.
	c3 := dialURL(t, ts.base, "EIO=4&transport=websocket&sid="+sid)
	if code := readClosed(t, c3); code != websocket.StatusNoStatusRcvd {
		t.Fatalf("websocket after upgrade: closed with %d", code)
	}
	c.Close(websocket.StatusNormalClosure, "")
	if ev := ts.closed(t); ev.reason != ReasonTransportClose {
		t.Fatalf("close %q", ev.reason)
	}
}

func TestUpgradeAborted(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	c := ts.dial(t, "EIO=4&transport=websocket&sid="+sid)
	writeText(t, c, "2probe")
	readFrame(t, c)
	writeText(t, c, "4hello") // not an upgrade packet
	readClosed(t, c)
	if s.Transport() != "polling" {
		t.Fatal("upgraded")
	}
	_ = s.Send(eio.TextMessage([]byte("still polling")))
	if res := ts.poll(t, sid); res.body != "4still polling" {
		t.Fatalf("GET: %q", res.body)
	}
	// Upgrading again works.
	c = ts.dial(t, "EIO=4&transport=websocket&sid="+sid)
	writeText(t, c, "2probe")
	readFrame(t, c)
	writeText(t, c, "5")
	_ = s.Send(eio.TextMessage([]byte("ws")))
	if _, f := readFrame(t, c); f != "4ws" {
		t.Fatalf("%q", f)
	}
}

func TestUpgradeTimeout(t *testing.T) {
	ts := newTestServer(t, &Options{UpgradeTimeout: 200 * time.Millisecond}, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	c := ts.dial(t, "EIO=4&transport=websocket&sid="+sid)
	writeText(t, c, "2probe")
	readFrame(t, c)
	start := time.Now()
	readClosed(t, c)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("probe closed after %v", d)
	}
	if s.Transport() != "polling" {
		t.Fatal("upgraded")
	}
	_ = s.Send(eio.TextMessage([]byte("x")))
	if res := ts.poll(t, sid); res.body != "4x" {
		t.Fatalf("GET: %q", res.body)
	}
}

func TestUpgradeDisabled(t *testing.T) {
	ts := newTestServer(t, &Options{DisableUpgrades: true}, false)
	sid, _ := ts.handshake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.base, "http")+"?EIO=4&transport=websocket&sid="+sid, nil); err == nil || res == nil || res.StatusCode != 400 {
		t.Fatalf("upgrade: %v", err)
	}
}

func TestUpgradeSessionClosedDuringProbe(t *testing.T) {
	ts := newTestServer(t, nil, false)
	sid, _ := ts.handshake(t)
	s := ts.session(t)
	c := ts.dial(t, "EIO=4&transport=websocket&sid="+sid)
	writeText(t, c, "2probe")
	readFrame(t, c)
	s.Close(ReasonForcedClose)
	readClosed(t, c)
	if res := ts.poll(t, sid); res.body != "1" {
		t.Fatalf("GET: %q", res.body)
	}
	if ev := ts.closed(t); ev.reason != ReasonForcedClose {
		t.Fatalf("close %q", ev.reason)
	}
}
