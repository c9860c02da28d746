//go:build !js

package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexio/duplex/bench/payload"
)

// Join makes each connection join room (the "join" event) and waits for the acks.
func Join(ctx context.Context, conns []*Conn, room string) error {
	args, err := json.Marshal([]any{"join", room})
	if err != nil {
		return err
	}
	for i, c := range conns {
		if _, err := c.Call(ctx, args); err != nil {
			return fmt.Errorf("loadgen: join %d: %w", i, err)
		}
	}
	return nil
}

// EchoResult is the outcome of a closed-loop echo run.
type EchoResult struct {
	RoundTrips uint64        // acks received with the right arguments
	Mismatched uint64        // acks whose arguments differ from those sent
	Elapsed    time.Duration // from the first send to the last ack
	Latency    Histogram
}

// EchoArgs is the event sent by Echo; the ack must carry echoReply.
var (
	echoArgs  = []byte(`["echo","abcdefghijklmnopqrstuvwxyz012345",42]`)
	echoReply = []byte(`["abcdefghijklmnopqrstuvwxyz012345",42]`)
)

// Echo runs a closed loop on every connection: send "echo" with an ack, wait
// for the ack, send the next, until duration has passed or maxPerConn round
// trips were done on each connection (0 = no count limit). Outstanding acks
// are awaited for at most drain.
func Echo(ctx context.Context, conns []*Conn, duration time.Duration, maxPerConn uint64, drain time.Duration) (EchoResult, error) {
	type state struct {
		h       Histogram
		n, bad  uint64
		sentAt  time.Time
		lastAck time.Time
		sendErr error
		c       *Conn
		next    func()
	}
	var stop atomic.Bool
	var outstanding sync.WaitGroup
	states := make([]*state, len(conns))
	for i, c := range conns {
		s := &state{c: c}
		states[i] = s
		onAck := func(data []byte) {
			now := time.Now()
			s.h.Record(now.Sub(s.sentAt))
			s.lastAck = now
			if bytes.Equal(data, echoReply) {
				s.n++
			} else {
				s.bad++
			}
			if stop.Load() || (maxPerConn > 0 && s.n+s.bad >= maxPerConn) {
				outstanding.Done()
				return
			}
			s.next()
		}
		s.next = func() {
			s.sentAt = time.Now()
			if err := s.c.EmitAck(echoArgs, onAck); err != nil {
				s.sendErr = err
				outstanding.Done()
			}
		}
	}
	start := time.Now()
	outstanding.Add(len(states))
	for _, s := range states {
		s.next()
	}
	allDone := make(chan struct{})
	go func() { outstanding.Wait(); close(allDone) }()
	timer := time.NewTimer(duration)
	defer timer.Stop()
	select {
	case <-allDone:
	case <-timer.C:
	case <-ctx.Done():
	}
	stop.Store(true)
	drainTimer := time.NewTimer(drain)
	defer drainTimer.Stop()
	var err error
	select {
	case <-allDone:
	case <-drainTimer.C:
		err = fmt.Errorf("loadgen: echo: acks still outstanding after %v", drain)
	}
	var res EchoResult
	if err != nil {
		// Readers may still touch the states: report nothing from them.
		return res, err
	}
	var last time.Time
	for _, s := range states {
		res.Latency.Merge(&s.h)
		res.RoundTrips += s.n
		res.Mismatched += s.bad
		if s.lastAck.After(last) {
			last = s.lastAck
		}
		if s.sendErr != nil && err == nil {
			err = s.sendErr
		}
	}
	res.Elapsed = last.Sub(start)
	return res, err
}

// deliveryGroup tracks the recipients of one broadcast.
type deliveryGroup struct {
	remaining atomic.Int64
	last      atomic.Int64 // unix nanos of the last completion
	done      chan struct{}
}

func (g *deliveryGroup) finish() {
	g.last.Store(time.Now().UnixNano())
	if g.remaining.Add(-1) == 0 {
		close(g.done)
	}
}

// Broadcast describes one "bcast" request.
type Broadcast struct {
	Count int    // messages per recipient
	Size  int    // bytes of the string in each message
	Room  string // "" = every socket
	// Timed asks for "pbcast" instead of "bcast": one message every
	// Interval, each stamped with its emit time, whose delays the
	// recipients record (Conn.Latency). Size must be >= StampDigits.
	Timed    bool
	Interval time.Duration
	// JSON asks for payload.JSONLike(Seed*Count+i, Size) as message i
	// (instead of Size "x"s); every message is checked byte for byte.
	JSON bool
	Seed int
}

// BroadcastResult is the outcome of one broadcast.
type BroadcastResult struct {
	Expected   int64         // Count × recipients
	Delivered  int64         // "msg" events counted on the recipients
	BadSize    int64         // events of the wrong size, or without an emit time when timed
	Unexpected int64         // events counted on connections outside the room
	Elapsed    time.Duration // from the request to the last recipient's last message
	AckAfter   time.Duration // from the request to the sender's ack
	Acked      bool
}

// RunBroadcast asks sender to broadcast b and waits until every recipient has
// received b.Count messages or timeout passed. others are connections that
// must receive nothing (outside the room).
func RunBroadcast(ctx context.Context, sender *Conn, recipients, others []*Conn, b Broadcast, timeout time.Duration) (BroadcastResult, error) {
	g := &deliveryGroup{done: make(chan struct{})}
	g.remaining.Store(int64(len(recipients)))
	var expect *[][]byte
	if b.JSON {
		msgs := make([][]byte, b.Count)
		for i := range msgs {
			msgs[i] = []byte(`42["msg","` + payload.JSONLike(b.Seed*b.Count+i, b.Size) + `"]`)
		}
		expect = &msgs
	}
	for _, c := range recipients {
		c.reset(b.Size, int64(b.Count), g, b.Timed, expect)
	}
	for _, c := range others {
		c.reset(b.Size, -1, nil, false, nil)
	}
	req := map[string]any{"count": b.Count, "size": b.Size}
	if b.JSON {
		req["json"], req["seed"] = true, b.Seed
	}
	if b.Room != "" {
		req["room"] = b.Room
	}
	event := "bcast"
	if b.Timed {
		event = "pbcast"
		req["interval"] = b.Interval.Milliseconds()
		timeout += time.Duration(b.Count) * b.Interval
	}
	args, err := json.Marshal([]any{event, req})
	if err != nil {
		return BroadcastResult{}, err
	}
	res := BroadcastResult{Expected: int64(b.Count) * int64(len(recipients))}
	acked := make(chan time.Time, 1)
	start := time.Now()
	if len(recipients) == 0 {
		close(g.done)
	}
	if err := sender.EmitAck(args, func([]byte) { acked <- time.Now() }); err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var waitErr error
	select {
	case <-g.done:
	case <-ctx.Done():
		waitErr = fmt.Errorf("loadgen: broadcast: not all messages delivered in %v", timeout)
	}
	if waitErr == nil {
		res.Elapsed = time.Unix(0, g.last.Load()).Sub(start)
		select {
		case t := <-acked:
			res.Acked, res.AckAfter = true, t.Sub(start)
		case <-ctx.Done():
			waitErr = fmt.Errorf("loadgen: broadcast: no ack in %v", timeout)
		}
	}
	short := 0
	var firstShort string
	for i, c := range recipients {
		n, bad := c.Msgs()
		res.Delivered += n
		res.BadSize += bad
		if n < int64(b.Count) {
			if short == 0 {
				firstShort = fmt.Sprintf("recipient %d got %d (reader error: %v, %v since its last frame)",
					i, n, c.Err(), time.Since(time.Unix(0, c.lastFrame.Load())).Round(time.Millisecond))
			}
			short++
		}
	}
	if waitErr != nil && short > 0 {
		waitErr = fmt.Errorf("%w: %d recipients short, first: %s", waitErr, short, firstShort)
	}
	for _, c := range others {
		n, _ := c.Msgs()
		res.Unexpected += n
	}
	return res, waitErr
}

// ResetCount starts counting c's "msg" events afresh, each to be a size-byte
// string (a wrong size counts as bad), with no delivery target: Msgs reports
// them (for long runs that count deliveries themselves).
func ResetCount(c *Conn, size int) { c.reset(size, -1, nil, false, nil) }
