package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// BroadcastOperator selects sockets of a namespace (rooms, exceptions, flags)
// and acts on all of them. It is an immutable value: every modifier returns a
// new operator, so one may be kept and reused.
type BroadcastOperator struct {
	nsp    *Namespace
	rooms  []string
	except []string
	flags  BroadcastFlags
}

// To returns an operator that also targets rooms.
func (b BroadcastOperator) To(rooms ...string) BroadcastOperator {
	b.rooms = slices.Concat(b.rooms, rooms)
	return b
}

// In is To.
func (b BroadcastOperator) In(rooms ...string) BroadcastOperator { return b.To(rooms...) }

// Except returns an operator that skips the sockets in rooms.
func (b BroadcastOperator) Except(rooms ...string) BroadcastOperator {
	b.except = slices.Concat(b.except, rooms)
	return b
}

// Local returns an operator limited to this server's sockets.
func (b BroadcastOperator) Local() BroadcastOperator { b.flags.Local = true; return b }

// Volatile returns an operator whose events may be dropped for clients not
// ready to receive them.
func (b BroadcastOperator) Volatile() BroadcastOperator { b.flags.Volatile = true; return b }

// Compress returns an operator with the compress flag (advisory: the engine
// decides on compression).
func (b BroadcastOperator) Compress(c bool) BroadcastOperator { b.flags.Compress = c; return b }

// Timeout returns an operator whose EmitWithAck waits at most d.
func (b BroadcastOperator) Timeout(d time.Duration) BroadcastOperator { b.flags.Timeout = d; return b }

func (b BroadcastOperator) opts() BroadcastOptions {
	return BroadcastOptions{Rooms: b.rooms, Except: b.except, Flags: b.flags}
}

var errAckInBroadcast = errors.New("server: a broadcast Emit cannot take an AckFunc: use EmitWithAck")

// Emit sends event with args to every selected socket. The packet is encoded
// once for all of them.
func (b BroadcastOperator) Emit(event string, args ...any) error {
	if n := len(args); n > 0 {
		switch args[n-1].(type) {
		case AckFunc, func(Args, error):
			return errAckInBroadcast
		}
	}
	p, err := sio.NewEvent(b.nsp.name, event, args...)
	if err != nil {
		return err
	}
	return b.nsp.srv.stats.adapterCall(opBroadcast, b.nsp.adapter.Broadcast(context.Background(), &p, b.opts()))
}

// EmitWithAck sends event to every selected socket and returns their replies
// once every one has answered (a socket that disconnects meanwhile is not
// awaited). When ctx is done or the operator's Timeout expires first, the
// replies received so far are returned with ErrTimeout (or ctx's error). Do
// not call it from an event handler's goroutine: start a goroutine.
func (b BroadcastOperator) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	p, err := sio.NewEvent(b.nsp.name, event, args...)
	if err != nil {
		return nil, err
	}
	p = p.WithID(b.nsp.nextAckID())
	servers := 1
	if !b.flags.Local {
		if servers, err = b.nsp.adapter.ServerCount(ctx); b.nsp.srv.stats.adapterCall(opServerCount, err) != nil {
			return nil, fmt.Errorf("server: counting servers: %w", err)
		}
	}
	// The adapter forgets the pending acks of sockets that never answered when
	// this context ends, which it does when EmitWithAck returns.
	var cancel context.CancelFunc
	if b.flags.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, b.flags.Timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	var (
		mu       sync.Mutex
		replies  []Args
		expected int
		failed   int
		counts   int
		finished bool
		done     = make(chan struct{})
	)
	check := func() { // mu held
		if !finished && counts >= servers && len(replies)+failed >= expected {
			finished = true
			close(done)
		}
	}
	onCount := func(n int) {
		mu.Lock()
		expected += n
		counts++
		check()
		mu.Unlock()
	}
	onAck := func(a Args, err error) {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return
		}
		if err != nil {
			failed++
		} else {
			replies = append(replies, a)
		}
		check()
	}
	if err := b.nsp.srv.stats.adapterCall(opBroadcastWithAck, b.nsp.adapter.BroadcastWithAck(ctx, &p, b.opts(), onCount, onAck)); err != nil {
		return nil, err
	}
	select {
	case <-done:
		mu.Lock()
		defer mu.Unlock()
		return replies, nil
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		if finished { // completed meanwhile
			return replies, nil
		}
		finished = true
		err := ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			b.nsp.srv.stats.ackTimeouts.Add(1)
			err = fmt.Errorf("%w: %d of %d replies", ErrTimeout, len(replies), expected)
		}
		return replies, err
	}
}

// FetchSockets returns the selected sockets.
func (b BroadcastOperator) FetchSockets(ctx context.Context) ([]*RemoteSocket, error) {
	rs, err := b.nsp.adapter.FetchSockets(ctx, b.opts())
	return rs, b.nsp.srv.stats.adapterCall(opFetchSockets, err)
}

// SocketsJoin makes the selected sockets join rooms.
func (b BroadcastOperator) SocketsJoin(rooms ...string) error {
	return b.nsp.srv.stats.adapterCall(opAddSockets, b.nsp.adapter.AddSockets(context.Background(), b.opts(), rooms))
}

// SocketsLeave makes the selected sockets leave rooms.
func (b BroadcastOperator) SocketsLeave(rooms ...string) error {
	return b.nsp.srv.stats.adapterCall(opDelSockets, b.nsp.adapter.DelSockets(context.Background(), b.opts(), rooms))
}

// DisconnectSockets disconnects the selected sockets (see Socket.Disconnect).
func (b BroadcastOperator) DisconnectSockets(close bool) error {
	return b.nsp.srv.stats.adapterCall(opDisconnectSockets, b.nsp.adapter.DisconnectSockets(context.Background(), b.opts(), close))
}
