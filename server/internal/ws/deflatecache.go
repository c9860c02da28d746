package ws

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// A broadcast writes the same message to many connections. Without context
// takeover (the only mode the server negotiates, with the same parameters
// for every connection) a message's compressed form depends on nothing but
// its bytes, so it is computed once and shared: DeflateCache holds the
// compressed form of the messages written lately, keyed by their content.

const (
	// deflateCacheSlots is how many recent messages a DeflateCache holds:
	// enough for the messages of a burst still being flushed to the slowest
	// recipient.
	deflateCacheSlots = 64
	// DeflateCacheMax is the largest message (bytes of data) a DeflateCache
	// shares; larger ones are compressed per connection, which bounds the
	// cache to about 2 × deflateCacheSlots × DeflateCacheMax bytes.
	DeflateCacheMax = 16 << 10
)

// DeflateCache shares the compressed form of a message among the connections
// that write it. The zero value is ready to use; it is safe for concurrent
// use. A message looked up while another goroutine compresses it waits for
// that compression instead of doing its own.
type DeflateCache struct {
	seedOnce sync.Once
	seed     maphash.Seed // set on first use

	mu   sync.Mutex
	ring [deflateCacheSlots]*deflateEntry
	next int

	compressions atomic.Uint64
}

// deflateEntry is one message and its compressed frame payload. An entry
// is never modified after its once ran, so a writer may keep using z after
// the entry left the ring.
type deflateEntry struct {
	hash   uint64
	opcode byte
	lead   int
	data   []byte // a copy of the message
	once   sync.Once
	z      []byte // compressed payload, the deflate tail stripped
}

// Compressions returns how many messages were compressed through the cache
// (a message shared by many connections counts once; one over
// DeflateCacheMax counts once per connection).
func (c *DeflateCache) Compressions() uint64 { return c.compressions.Load() }

// compressed returns the compressed payload of the message opcode, lead,
// data (see WriteCompressed), computing it when the cache does not hold it.
// The result is shared: never modify it.
func (c *DeflateCache) compressed(opcode byte, lead int, data []byte) []byte {
	c.seedOnce.Do(func() { c.seed = maphash.MakeSeed() })
	h := maphash.Bytes(c.seed, data) // outside the lock
	c.mu.Lock()
	var e *deflateEntry
	for _, x := range c.ring {
		if x != nil && x.hash == h && x.opcode == opcode && x.lead == lead && bytes.Equal(x.data, data) {
			e = x
			break
		}
	}
	if e == nil {
		e = &deflateEntry{hash: h, opcode: opcode, lead: lead, data: bytes.Clone(data)}
		c.ring[c.next] = e
		c.next = (c.next + 1) % deflateCacheSlots
	}
	c.mu.Unlock()
	e.once.Do(func() {
		c.compressions.Add(1)
		e.z = deflateMessage(lead, e.data, nil)
	})
	return e.z
}
