package sio

import "reflect"

// The sorts here are written for their one element type: a generic sort
// (slices.SortFunc) instantiated for each element type adds ~20 KB of code,
// and its instantiation's long name, to a wasm binary.

// sortFields sorts fs by cmp, an insertion sort: a struct has few fields,
// and typeFields runs once per type.
func sortFields(fs []field, cmp func(a, b *field) int) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && cmp(&fs[j-1], &fs[j]) > 0; j-- {
			fs[j-1], fs[j] = fs[j], fs[j-1]
		}
	}
}

// mapEntry is a map entry with its JSON key.
type mapEntry struct {
	key string
	val reflect.Value
}

// sortEntries sorts es by key, a heap sort: in place, O(n log n).
func sortEntries(es []mapEntry) {
	n := len(es)
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(es, i, n)
	}
	for end := n - 1; end > 0; end-- {
		es[0], es[end] = es[end], es[0]
		siftDown(es, 0, end)
	}
}

func siftDown(es []mapEntry, root, n int) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && es[child].key < es[child+1].key {
			child++
		}
		if es[root].key >= es[child].key {
			return
		}
		es[root], es[child] = es[child], es[root]
		root = child
	}
}

// sortStrings sorts ss, a heap sort as sortEntries.
func sortStrings(ss []string) {
	n := len(ss)
	for i := n/2 - 1; i >= 0; i-- {
		siftDownString(ss, i, n)
	}
	for end := n - 1; end > 0; end-- {
		ss[0], ss[end] = ss[end], ss[0]
		siftDownString(ss, 0, end)
	}
}

func siftDownString(ss []string, root, n int) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && ss[child] < ss[child+1] {
			child++
		}
		if ss[root] >= ss[child] {
			return
		}
		ss[root], ss[child] = ss[child], ss[root]
		root = child
	}
}
