package server

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse exercises broadcasts, room changes, emits with acks,
// fetches and disconnects from many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	srv := newServer(t, &Options{ConnectionStateRecovery: &RecoveryOptions{}})
	srv.OnConnection(func(s *Socket) {
		s.On("x", func(e *Event) { _ = e.Ack(1) })
	})
	fs, ss := connected(t, srv, "/", 20)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				s := ss[(g*7+i)%len(ss)]
				switch i % 8 {
				case 0:
					s.Join(fmt.Sprint("r", i%5))
				case 1:
					s.Leave(fmt.Sprint("r", i%5))
				case 2:
					_ = srv.To(fmt.Sprint("r", i%5)).Except("r1").Emit("m", i)
				case 3:
					_ = s.Broadcast().Volatile().Emit("v")
				case 4:
					_, _ = srv.FetchSockets(context.Background())
				case 5:
					_ = s.Timeout(time.Millisecond).Emit("q", AckFunc(func(Args, error) {}))
				case 6:
					s.Data().Store("k", i)
					_ = s.Rooms()
				case 7:
					_ = srv.In("r2").SocketsJoin("r3")
				}
			}
		})
	}
	for i, f := range fs {
		wg.Go(func() {
			for range 50 {
				f.in(`21["x"]`)
			}
			if i%3 == 0 {
				f.in("1") // leaves while the others keep going
			}
		})
	}
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, _ = srv.EmitWithAck(ctx, "poll")
	})
	wg.Wait()
	for i, s := range ss {
		if want := i%3 != 0; s.Connected() != want {
			t.Errorf("socket %d connected=%v", i, s.Connected())
		}
	}
}
