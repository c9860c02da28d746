package client

import (
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/client/engine"
)

func TestBackoff(t *testing.T) {
	b := newBackoff(time.Second, 5*time.Second, 0)
	var got []time.Duration
	for range 5 {
		got = append(got, b.duration())
	}
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	b.reset()
	if b.attempts != 0 {
		t.Fatal("reset")
	}
	// jitter: rand 0.3 -> floor(3)&1 == 1: + 0.3*0.5*1000 ms; rand 0.25 -> floor(2.5)=2: - 125 ms
	j := newBackoff(time.Second, 5*time.Second, 0.5)
	j.rand = func() float64 { return 0.3 }
	if d := j.duration(); d != 1150*time.Millisecond {
		t.Fatalf("jitter up %v", d)
	}
	j.rand = func() float64 { return 0.25 }
	if d := j.duration(); d != 1750*time.Millisecond {
		t.Fatalf("jitter down %v", d)
	}
}

func TestOptionDefaults(t *testing.T) {
	o := (*Options)(nil).withDefaults()
	if o.Engine.Path != "/socket.io/" || o.ReconnectionDelay != time.Second || o.ReconnectionDelayMax != 5*time.Second ||
		o.RandomizationFactor != 0.5 || o.Timeout != 20*time.Second || o.ReconnectionAttempts != 0 || o.NoReconnection || o.Logger == nil {
		t.Fatalf("defaults %+v", o)
	}
	if f := (&Options{RandomizationFactor: -1}).withDefaults().RandomizationFactor; f != 0 {
		t.Fatalf("no jitter: %v", f)
	}
	if n := (*SocketOptions)(nil).withDefaults().SendBufferSize; n != DefaultSendBufferSize {
		t.Fatalf("send buffer %d", n)
	}
	m := newManager("http://h:1/chat?x=1", &Options{Engine: engine.Options{Path: "/p/", ReadLimit: 1234}}, anyEncoder)
	if m.base != "http://h:1" || m.engineOpts.Path != "/p/" || strings.Join(m.engineOpts.Query["x"], ",") != "1" ||
		m.engineOpts.ReadLimit != 1234 || m.engineOpts.Logger != m.log {
		t.Fatalf("manager base %q opts %+v", m.base, m.engineOpts)
	}
	for _, bad := range []string{"ftp://h", "http://", "%"} {
		if _, err := NewManager(bad, nil); err == nil {
			t.Errorf("NewManager(%q): no error", bad)
		}
	}
	if _, err := NewManager("http://h", &Options{Engine: engine.Options{Transports: []string{"webtransport"}}}); err == nil {
		t.Error("NewManager with an unknown transport: no error")
	}
}

func TestConnectPayload(t *testing.T) {
	for _, tc := range []struct {
		auth        any
		pid, offset string
		want        string
		err         bool
	}{
		{nil, "", "", "", false},
		{map[string]int{"a": 1}, "", "", `{"a":1}`, false},
		{struct {
			T string `json:"token"`
		}{"x"}, "", "", `{"token":"x"}`, false},
		{nil, "P", "", `{"pid":"P"}`, false},
		{map[string]any{"pid": "mine", "k": 1}, "P", "O", `{"k":1,"offset":"O","pid":"mine"}`, false},
		{"a string", "", "", "", true},
		{[]int{1}, "", "", "", true},
		{map[string]any{"b": []byte{1}}, "", "", "", true},
		{struct{ B []byte }{[]byte{1}}, "", "", "", true},
	} {
		got, err := connectPayload(&anyEncoder, tc.auth, tc.pid, tc.offset)
		if (err != nil) != tc.err || string(got) != tc.want {
			t.Errorf("connectPayload(%v, %q, %q) = %s, %v; want %s", tc.auth, tc.pid, tc.offset, got, err, tc.want)
		}
	}
}
