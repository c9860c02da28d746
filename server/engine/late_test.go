package engine

import (
	"testing"
	"time"
)

// TestLateIDs: an id is taken once within its window, never after it, and
// the memory that held the ids goes once they expired.
func TestLateIDs(t *testing.T) {
	var l lateIDs
	w := lateRequestWindow
	l.add("a", w)
	l.add("b", time.Second+w)
	l.add("c", time.Second+w)
	if !l.take("b", w-1) {
		t.Fatal("b forgotten within its window")
	}
	if l.take("b", w-1) {
		t.Fatal("b taken twice")
	}
	if l.take("a", w) {
		t.Fatal("a taken at the end of its window")
	}
	if l.take("x", 0) {
		t.Fatal("unknown id taken")
	}
	if !l.take("c", w) {
		t.Fatal("c dropped with a")
	}
	if len(l.until) != 1 || len(l.order) != 1 { // a expired and b taken: dropped; c taken after the prune
		t.Fatalf("%d ids kept, %d in order", len(l.until), len(l.order))
	}
	if l.take("c", 2*time.Second+w); l.order != nil || len(l.until) != 0 {
		t.Fatal("memory kept once every id expired")
	}
}
