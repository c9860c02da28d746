//go:build !js

package server

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexio/duplex/protocol/eio"
)

// keepConn keeps the packets sent as they are (not copies): a buffer written
// again after its packet was queued shows up as a changed packet.
type keepConn struct {
	mu   sync.Mutex
	sent []eio.Packet
}

func (k *keepConn) Send(pkts ...eio.Packet) error {
	k.mu.Lock()
	k.sent = append(k.sent, pkts...)
	k.mu.Unlock()
	return nil
}
func (k *keepConn) SendVolatile(pkts ...eio.Packet) bool { return k.Send(pkts...) == nil }
func (k *keepConn) Close(string)                         {}

func (k *keepConn) texts() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var s []string
	for _, p := range k.sent {
		s = append(s, string(p.Data))
	}
	return s
}

// TestAckTextWithEvent: an ack written into the room that comes with its
// Event (short ones) or into a buffer of its own (long ones) stays as sent
// while other events are acked, also when a first Ack failed to encode and
// the handler answered again, or when the ack is sent after the handler
// returned.
func TestAckTextWithEvent(t *testing.T) {
	srv := newServer(t, nil)
	var late sync.WaitGroup
	release := make(chan struct{}) // the late ack waits for the other events
	srv.OnConnection(func(s *Socket) {
		s.On("echo", func(e *Event) { _ = e.AckArgs(e.Args) })
		s.On("retry", func(e *Event) {
			if err := e.Ack(make(chan int)); err == nil {
				t.Error("a channel encoded")
			}
			_ = e.Ack("second")
		})
		s.On("later", func(e *Event) {
			late.Go(func() {
				<-release
				_ = e.Ack("late", strings.Repeat("z", 80))
			})
		})
	})
	kc := &keepConn{}
	c := srv.newClient(kc, &requestInfo{Time: time.Now()})
	c.OnMessage(eio.TextMessage([]byte("0")))
	long := strings.Repeat("y", 100)
	in := []string{
		`21["echo","a",1]`,
		`22["echo","` + long + `"]`,
		`23["retry"]`,
		`24["later"]`,
		`25["echo",{"b":[true,null]}]`,
		`26["echo"]`,
	}
	for _, m := range in {
		c.OnMessage(eio.TextMessage([]byte(m)))
	}
	close(release)
	late.Wait()
	want := []string{
		`31["a",1]`,
		`32["` + long + `"]`,
		`33["second"]`,
		`35[{"b":[true,null]}]`,
		`36[]`,
		`34["late","` + strings.Repeat("z", 80) + `"]`,
	}
	got := kc.texts()
	if len(got) < 1 || !strings.HasPrefix(got[0], "0") {
		t.Fatalf("sent %q", got)
	}
	got = got[1:] // the CONNECT reply
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("acks\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestEchoAckAllocs: an event acked with a short ack costs one allocation
// in the Socket.IO layer, its Event (the ack's text comes with it); the fake
// session's variadic Send adds one.
func TestEchoAckAllocs(t *testing.T) {
	srv := newServer(t, nil)
	srv.OnConnection(func(s *Socket) {
		s.On("echo", func(e *Event) { _ = e.AckArgs(e.Args) })
	})
	cc := &countConn{}
	c := srv.newClient(cc, &requestInfo{Time: time.Now()})
	c.OnMessage(eio.TextMessage([]byte("0")))
	msg := eio.TextMessage([]byte(`2123["echo","abcdefghijklmnopqrstuvwxyz012345",42]`))
	allocs := testing.AllocsPerRun(200, func() { c.OnMessage(msg) })
	if allocs > 2 {
		t.Fatalf("%v allocations per echo, want 2 (the Event, the fake's variadic Send)", allocs)
	}
}
