//go:build race

package main

// raceEnabled: sync.Pool drops a random share of its items under the race
// detector, so allocation counts are not asserted.
const raceEnabled = true
