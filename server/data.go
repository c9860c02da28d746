package server

import (
	"maps"
	"sync"
)

// Data is a socket's store of application values (socket.data in the
// reference), safe for concurrent use. It survives connection state recovery
// and is visible through FetchSockets.
type Data struct {
	mu sync.RWMutex
	m  map[string]any
	// onChange, when set (before the Data is shared), is called after each
	// Store and Delete: the socket's session tracking (see SessionTracker).
	onChange func()
}

// Store sets the value of key.
func (d *Data) Store(key string, v any) {
	d.mu.Lock()
	if d.m == nil {
		d.m = make(map[string]any)
	}
	d.m[key] = v
	d.mu.Unlock()
	if d.onChange != nil {
		d.onChange()
	}
}

// Load returns the value of key and whether it is set.
func (d *Data) Load(key string) (any, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.m[key]
	return v, ok
}

// Delete removes key.
func (d *Data) Delete(key string) {
	d.mu.Lock()
	delete(d.m, key)
	d.mu.Unlock()
	if d.onChange != nil {
		d.onChange()
	}
}

// Snapshot returns a copy of every key and value.
func (d *Data) Snapshot() map[string]any {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return maps.Clone(d.m)
}
