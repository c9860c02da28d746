package server

import (
	"sync"
	"unsafe"
)

// handlerEntry is one On or Once handler. A socket has a few: a slice
// searched by name is smaller than a map and as fast at these sizes.
type handlerEntry struct {
	event string
	fn    EventHandler
	once  bool
}

// A socket's handler list is never modified in place (a new one replaces
// it), so sockets that register the same handlers in the same order (an
// OnConnection that registers functions made once, not closures made per
// socket) can share one list. handlerLists remembers how recent lists were
// extended: the next socket that adds the same handler to the same list gets
// the list already built, with no allocation, and an idle socket keeps no list
// of its own.
type handlerLists struct {
	mu   sync.Mutex
	ring *[handlerListsSize]handlerExtension // allocated on the first extend
	next int
}

// handlerListsSize bounds what a namespace remembers: enough for the
// handlers an application registers per socket; closures made per socket
// never match and only cycle through it.
const handlerListsSize = 32

// handlerExtension is one remembered step: base plus add gave list. The
// entry keeps base, add.fn and list alive, so that their addresses cannot be
// reused by other values while it is remembered.
type handlerExtension struct {
	base *[]handlerEntry
	add  handlerEntry
	list *[]handlerEntry
}

// extend returns base (nil: none) with e appended, as a list that is never
// modified in place: a remembered one when the same step was made before.
// A list is shared by its address (the socket reads it atomically).
func (hl *handlerLists) extend(base *[]handlerEntry, e handlerEntry) *[]handlerEntry {
	hl.mu.Lock()
	defer hl.mu.Unlock()
	if hl.ring == nil {
		hl.ring = new([handlerListsSize]handlerExtension)
	}
	for i := range hl.ring {
		x := &hl.ring[i]
		if x.list != nil && x.base == base && sameHandler(&x.add, &e) {
			return x.list
		}
	}
	var hs []handlerEntry
	if base != nil {
		hs = *base
	}
	l := append(hs[:len(hs):len(hs)], e)
	list := &l
	hl.ring[hl.next] = handlerExtension{base: base, add: e, list: list}
	hl.next = (hl.next + 1) % handlerListsSize
	return list
}

// forget drops what is remembered (the closures it keeps alive may hold
// disconnected sockets): the namespace calls it once its last socket left.
func (hl *handlerLists) forget() {
	hl.mu.Lock()
	hl.ring, hl.next = nil, 0
	hl.mu.Unlock()
}

// sameHandler reports whether a and b are the same registration: same event,
// same once flag and the same function value. Go cannot compare functions:
// a func value is a pointer to its closure (code pointer and captured
// variables), so the same value means the same function with the same
// captures; two closures made separately differ even with equal captures,
// which only costs sharing.
func sameHandler(a, b *handlerEntry) bool {
	return a.once == b.once && funcPointer(a.fn) == funcPointer(b.fn) && a.event == b.event
}

func funcPointer(fn EventHandler) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&fn))
}
