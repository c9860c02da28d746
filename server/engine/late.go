package engine

import "time"

// lateRequestWindow is how long the id of a session closed by its client
// (a close packet in a POST) is remembered.
//
// A polling client sends its GET and POST on two connections, and net/http
// serves each connection on its own goroutine: two requests that arrive
// together reach the handler in either order, and nothing in net/http tells
// which arrived first (the reference, one event loop, handles them in
// arrival order). A client sends no GET after its close packet, so a GET
// that finds its session closed by the client was sent before the close
// packet, concurrently: it gets the answer it would have got had it been
// handled first, a noop (200 "6"), instead of 400 "Session ID unknown".
// The window only bounds how long the ids are kept; a GET is late by the
// time between two goroutines being scheduled, far less.
const lateRequestWindow = 2 * time.Second

// lateIDs remembers ids until their deadline (server-relative time). Every
// id gets the same window, so the order of addition is the order of
// expiry: expired ids are dropped from the front.
type lateIDs struct {
	until map[string]time.Duration
	order []string
}

// add remembers id until deadline, dropping expired ids.
func (l *lateIDs) add(id string, deadline time.Duration) {
	if l.until == nil {
		l.until = make(map[string]time.Duration)
	}
	l.prune(deadline - lateRequestWindow)
	l.until[id] = deadline
	l.order = append(l.order, id)
}

// take reports whether id is remembered at now, and forgets it.
func (l *lateIDs) take(id string, now time.Duration) bool {
	l.prune(now)
	if d, ok := l.until[id]; !ok || d <= now {
		return false
	}
	l.until[id] = -1 // dropped when it reaches the front of order
	return true
}

// prune drops the ids whose deadline is not after now.
func (l *lateIDs) prune(now time.Duration) {
	n := 0
	for n < len(l.order) && l.until[l.order[n]] <= now {
		delete(l.until, l.order[n])
		n++
	}
	if n == 0 {
		return
	}
	clear(l.order[:n])
	l.order = l.order[n:]
	if len(l.order) == 0 {
		l.order = nil // the backing array goes once nothing is remembered
	}
}
