package server

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// trackingAdapter records the session tracking calls of the server.
type trackingAdapter struct {
	*MemoryAdapter
	mu     sync.Mutex
	events []string
}

func (a *trackingAdapter) TrackSession(s *SessionState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, _ := s.Data.Load("k")
	rooms := slices.DeleteFunc(slices.Clone(s.Rooms), func(r string) bool { return r == s.SID })
	a.events = append(a.events, fmt.Sprintf("track %v %v %v", s.PID == "", rooms, v))
}

func (a *trackingAdapter) ForgetSession(pid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, fmt.Sprintf("forget %v", pid == ""))
}

func (a *trackingAdapter) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.events
	a.events = nil
	return out
}

// TestSessionTracker checks the SessionTracker hooks: a session is tracked
// at connect and after each change of its rooms or data, forgotten when the
// client leaves for good, and not tracked without recovery.
func TestSessionTracker(t *testing.T) {
	for _, recovery := range []bool{true, false} {
		t.Run(fmt.Sprint("recovery=", recovery), func(t *testing.T) {
			var ta *trackingAdapter
			opts := &Options{Adapter: func(nsp *Namespace) Adapter {
				ta = &trackingAdapter{MemoryAdapter: NewMemoryAdapterWithoutRecovery(nsp)}
				return ta
			}}
			if recovery {
				opts.ConnectionStateRecovery = &RecoveryOptions{}
			}
			srv := newServer(t, opts)
			f := dial(srv)
			f.connect(t, "0")
			s := onlySocket(t, srv.Of("/"))
			s.Join("a", "b")
			s.Data().Store("k", 1)
			s.Leave("a")
			s.Data().Delete("k")
			f.in("1") // client namespace disconnect: not recoverable
			got := ta.take()
			want := []string{"track false [] <nil>", "track false [a b] <nil>", "track false [a b] 1",
				"track false [b] 1", "track false [b] <nil>", "forget false"}
			if !recovery {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Fatalf("tracking calls\n got %q\nwant %q", got, want)
			}
		})
	}
}
