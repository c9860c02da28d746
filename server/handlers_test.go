package server

import (
	"fmt"
	"slices"
	"testing"
	"unsafe"
)

// TestSharedHandlerLists: sockets that register the same functions in the
// same order share one handler list; Off and Once on one socket leave the
// others' handlers as they are; per-socket closures are never mixed up.
func TestSharedHandlerLists(t *testing.T) {
	srv := newServer(t, nil)
	var got []string
	static := func(e *Event) { got = append(got, "static:"+e.Socket().ID()) }
	once := func(e *Event) { got = append(got, "once:"+e.Socket().ID()) }
	srv.OnConnection(func(s *Socket) {
		s.On("a", static)
		s.Once("a", once)
		id := s.ID()
		s.On("b", func(e *Event) { // a closure per socket: its own
			if e.Socket().ID() != id {
				t.Errorf("closure of %s called for %s", id, e.Socket().ID())
			}
			got = append(got, "closure:"+id)
		})
	})
	f1, f2, f3 := dial(srv), dial(srv), dial(srv)
	f1.connect(t, "0")
	f2.connect(t, "0")
	f3.connect(t, "0")
	s1, s2, s3 := f1.c.snapshot()[0], f2.c.snapshot()[0], f3.c.snapshot()[0]
	if unsafe.SliceData(s1.handlerList()) == unsafe.SliceData(s2.handlerList()) {
		t.Fatal("lists ending with per-socket closures are shared")
	}
	f1.in(`2["a"]`, `2["a"]`, `2["b"]`)
	s2.Off("a")
	f2.in(`2["a"]`, `2["b"]`)
	f3.in(`2["a"]`, `2["b"]`)
	// Without closures, the lists are one.
	srv.Of("/static").OnConnection(func(s *Socket) {
		s.On("a", static)
		s.Once("a", once)
	})
	g1, g2 := dial(srv), dial(srv)
	g1.connect(t, "0/static")
	g2.connect(t, "0/static")
	if l1, l2 := g1.c.snapshot()[0].handlers.Load(), g2.c.snapshot()[0].handlers.Load(); l1 != l2 || l1 == nil || len(*l1) != 2 {
		t.Fatalf("lists %p and %p, want one of 2", l1, l2)
	}
	want := []string{"static:" + s1.ID(), "once:" + s1.ID(), "static:" + s1.ID(), "closure:" + s1.ID(),
		"closure:" + s2.ID(), "static:" + s3.ID(), "once:" + s3.ID(), "closure:" + s3.ID()}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestHandlerListsEviction: more registrations than a namespace remembers
// still give every socket exactly its handlers.
func TestHandlerListsEviction(t *testing.T) {
	srv := newServer(t, nil)
	const n = handlerListsSize + 5
	fns := make([]EventHandler, n)
	counts := make([]int, n)
	for i := range fns {
		fns[i] = func(*Event) { counts[i]++ }
	}
	srv.OnConnection(func(s *Socket) {
		for i := range n {
			s.On(fmt.Sprint(i), fns[i])
		}
	})
	fs := []*fakeClient{dial(srv), dial(srv), dial(srv)}
	for _, f := range fs {
		f.connect(t, "0")
		for i := range n {
			f.in(fmt.Sprintf(`2["%d"]`, i))
		}
	}
	for i, c := range counts {
		if c != len(fs) {
			t.Fatalf("handler %d ran %d times, want %d", i, c, len(fs))
		}
	}
	if got := len(fs[2].c.snapshot()[0].handlerList()); got != n {
		t.Fatalf("%d handlers, want %d", got, n)
	}
}

// TestIdleSizes guards the size classes of what every connection keeps (and
// of the per-event allocation): a field more takes them into the next class.
func TestIdleSizes(t *testing.T) {
	for _, c := range []struct {
		name       string
		size, want uintptr
	}{
		{"client", unsafe.Sizeof(client{}), 144},
		{"Socket", unsafe.Sizeof(Socket{}), 192},
		{"Event", unsafe.Sizeof(Event{}), 160},
		{"ackedEvent", unsafe.Sizeof(ackedEvent{}), 240},
	} {
		if c.size > c.want {
			t.Errorf("%s is %d bytes, over its %d-byte size class", c.name, c.size, c.want)
		}
	}
}

// TestHooksAddedLater: events dispatched without the socket's lock (no
// middleware, no OnAny handler) see the hooks registered afterwards, and
// OffAny takes the socket back to that path.
func TestHooksAddedLater(t *testing.T) {
	srv := newServer(t, nil)
	var got []string
	srv.OnConnection(func(s *Socket) {
		s.On("a", func(e *Event) { got = append(got, "a") })
	})
	f := dial(srv)
	f.connect(t, "0")
	s := f.c.snapshot()[0]
	f.in(`2["a"]`)
	s.OnAny(func(e *Event) { got = append(got, "any:"+e.Name) })
	f.in(`2["a"]`)
	s.Use(func(e *Event, next func(error)) {
		got = append(got, "mw:"+e.Name)
		next(nil)
	})
	f.in(`2["a"]`)
	s.OffAny()
	f.in(`2["a"]`)
	s.Once("a", func(e *Event) { got = append(got, "once") })
	f.in(`2["a"]`, `2["a"]`)
	want := []string{"a", "any:a", "a", "mw:a", "any:a", "a", "mw:a", "a", "mw:a", "a", "once", "mw:a", "a"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestOnceWithoutHooks: a Once handler runs once on the path without hooks,
// while the socket's other handlers of the event go on running.
func TestOnceWithoutHooks(t *testing.T) {
	srv := newServer(t, nil)
	var got []string
	srv.OnConnection(func(s *Socket) {
		s.On("a", func(e *Event) { got = append(got, "a") })
		s.Once("a", func(e *Event) { got = append(got, "once") })
		s.On("b", func(e *Event) { got = append(got, "b") })
	})
	f := dial(srv)
	f.connect(t, "0")
	f.in(`2["a"]`, `2["b"]`, `2["a"]`, `2["\u0062"]`, `2["c"]`)
	want := []string{"a", "once", "b", "a", "b"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestEventsAcrossNamespaces: a client's events reach the socket of their
// namespace whether it has one socket (read without the client's lock) or
// several, as sockets join and leave; none is dispatched once it closed.
func TestEventsAcrossNamespaces(t *testing.T) {
	srv := newServer(t, nil)
	var got []string
	on := func(s *Socket) {
		nsp := s.Namespace().Name()
		s.On("a", func(e *Event) { got = append(got, nsp) })
	}
	srv.OnConnection(on)
	srv.Of("/x").OnConnection(on)
	f := dial(srv)
	f.connect(t, "0")
	f.in(`2["a"]`)
	f.connect(t, "0/x,")
	f.in(`2["a"]`, `2/x,["a"]`)
	f.in("1")
	f.in(`2/x,["a"]`)
	f.connect(t, "0")
	f.in(`2["a"]`, `2/x,["a"]`)
	f.in("1/x,")
	f.in(`2["a"]`)
	f.c.close(reasonForcedServerClose)
	f.in(`2["a"]`)
	want := []string{"/", "/", "/x", "/x", "/", "/x", "/"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
