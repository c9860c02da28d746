//go:build !unix

package ws

// setupWait: file descriptors cannot be polled directly here.
func (c *Conn) setupWait() {}

// wait blocks until the client sends something: a read of one byte.
func (c *Conn) Wait() { c.waitByte() }

func getBuf() *[]byte { return batchBufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	*b = (*b)[:0]
	batchBufs.Put(b)
}
