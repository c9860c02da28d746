//go:build !js

package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Connect opens n connections with at most concurrency handshakes in flight
// and returns them all, or closes those opened and returns the first error.
func Connect(ctx context.Context, d *Dialer, n, concurrency int) ([]*Conn, error) {
	concurrency = min(max(concurrency, 1), max(n, 1))
	conns := make([]*Conn, n)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	next := make(chan int)
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				c, err := d.Dial(ctx)
				if err != nil {
					cancel(fmt.Errorf("connection %d: %w", i, err))
					continue
				}
				conns[i] = c
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		CloseAll(conns)
		return nil, err
	}
	return conns, nil
}

// CloseAll closes every non-nil connection, a few at a time.
func CloseAll(conns []*Conn) {
	var wg sync.WaitGroup
	const workers = 16
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(conns); i += workers {
				if conns[i] != nil {
					conns[i].Close()
				}
			}
		})
	}
	wg.Wait()
}

// Failed returns the errors of the connections whose reader stopped.
func Failed(conns []*Conn) error {
	var errs []error
	for i, c := range conns {
		if c == nil {
			continue
		}
		select {
		case <-c.done:
			if c.err != nil {
				errs = append(errs, fmt.Errorf("connection %d: %w", i, c.err))
			}
		default:
		}
		if len(errs) >= 5 {
			break
		}
	}
	return errors.Join(errs...)
}
