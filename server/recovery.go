package server

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/duplexio/duplex/protocol/sio"
)

// recoverableReasons are the disconnect reasons after which connection state
// recovery keeps the session (the reference's RECOVERABLE_DISCONNECT_REASONS).
var recoverableReasons = map[string]bool{
	"transport error":      true,
	"transport close":      true,
	"forced close":         true,
	"ping timeout":         true,
	"server shutting down": true,
	"forced server close":  true,
}

// offsetGen generates ordered, unique offsets: the time in milliseconds in
// base 36, with a sequence suffix for several in the same millisecond.
type offsetGen struct {
	mu   sync.Mutex
	last int64
	seq  int
}

func (g *offsetGen) next() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now().UnixMilli()
	if now <= g.last {
		g.seq++
		return strconv.FormatInt(g.last, 36) + "." + strconv.Itoa(g.seq)
	}
	g.last, g.seq = now, 0
	return strconv.FormatInt(now, 36)
}

// isStorable reports whether a broadcast is numbered and kept for recovery:
// events without ack id that are not volatile.
func isStorable(p *sio.Packet, opts BroadcastOptions) bool {
	return (p.Type == sio.Event || p.Type == sio.BinaryEvent) && !p.HasID && !opts.Flags.Volatile
}

// store appends an offset to an event packet and keeps it for sessions that
// reconnect; other packets are returned as is. The buffer is pruned here of
// expired packets and bounded by RecoveryOptions.MaxBufferedPackets.
func (a *MemoryAdapter) store(p *sio.Packet, opts BroadcastOptions) *sio.Packet {
	if !isStorable(p, opts) {
		return p
	}
	id := a.offsets.next()
	q := *p
	q.Data = appendStringArg(p.Data, id)
	now := time.Now()
	a.rmu.Lock()
	if !a.rclosed {
		a.prunePackets(now)
		a.packets = append(a.packets, storedPacket{id: id, opts: cloneOpts(opts), packet: &q, at: now})
		if over := len(a.packets) - a.recovery.MaxBufferedPackets; over > 0 {
			a.dropPackets(over)
		}
		a.schedulePruneLocked()
	}
	a.rmu.Unlock()
	return &q
}

func cloneOpts(o BroadcastOptions) BroadcastOptions {
	o.Rooms = slices.Clone(o.Rooms)
	o.Except = slices.Clone(o.Except)
	return o
}

// appendStringArg returns the JSON array data with the string s appended.
func appendStringArg(data json.RawMessage, s string) json.RawMessage {
	end := len(data) - 1
	for end >= 0 && data[end] != ']' {
		end--
	}
	if end < 0 {
		return data
	}
	out := make([]byte, 0, len(data)+len(s)+4)
	out = append(out, data[:end]...)
	if end > 1 {
		out = append(out, ',')
	}
	out = strconv.AppendQuote(out, s) // offsets are plain ASCII
	return append(out, ']')
}

// pruneInterval is how often the expired sessions and packets of a
// MemoryAdapter are dropped (the reference: every minute).
func pruneInterval(maxDisconnection time.Duration) time.Duration {
	return min(maxDisconnection, time.Minute)
}

// schedulePruneLocked arms the prune timer if it is not armed. The timer runs
// only while something is stored, and Close stops it. a.rmu must be held.
func (a *MemoryAdapter) schedulePruneLocked() {
	if a.pruneTimer == nil && !a.rclosed {
		a.pruneTimer = time.AfterFunc(pruneInterval(a.recovery.MaxDisconnectionDuration), a.pruneTick)
	}
}

func (a *MemoryAdapter) pruneTick() {
	a.rmu.Lock()
	defer a.rmu.Unlock()
	a.pruneTimer = nil
	if a.rclosed {
		return
	}
	a.prune(time.Now())
	if len(a.sessions) > 0 || len(a.packets) > 0 {
		a.schedulePruneLocked()
	}
}

// prune drops the sessions and packets older than MaxDisconnectionDuration.
// a.rmu must be held.
func (a *MemoryAdapter) prune(now time.Time) {
	a.prunePackets(now)
	threshold := now.Add(-a.recovery.MaxDisconnectionDuration)
	for pid, s := range a.sessions {
		if s.at.Before(threshold) {
			delete(a.sessions, pid)
		}
	}
}

// prunePackets drops the packets older than MaxDisconnectionDuration (a prefix
// of the buffer). a.rmu must be held.
func (a *MemoryAdapter) prunePackets(now time.Time) {
	threshold := now.Add(-a.recovery.MaxDisconnectionDuration)
	i := 0
	for i < len(a.packets) && a.packets[i].at.Before(threshold) {
		i++
	}
	a.dropPackets(i)
}

// dropPackets drops the n oldest packets. a.rmu must be held.
func (a *MemoryAdapter) dropPackets(n int) {
	if n <= 0 {
		return
	}
	clear(a.packets[:n])
	a.packets = a.packets[n:]
	if len(a.packets) == 0 {
		a.packets = nil // let the backing array go
	}
}

// PersistSession implements Adapter.
func (a *MemoryAdapter) PersistSession(_ context.Context, s *SessionState) error {
	if a.recovery == nil {
		return nil
	}
	now := time.Now()
	a.rmu.Lock()
	defer a.rmu.Unlock()
	if a.rclosed {
		return nil
	}
	a.sessions[s.PID] = &persisted{state: s, at: now}
	a.schedulePruneLocked()
	return nil
}

// RestoreSession implements Adapter.
func (a *MemoryAdapter) RestoreSession(_ context.Context, pid, offset string) (*SessionState, error) {
	if a.recovery == nil {
		return nil, nil
	}
	now := time.Now()
	a.rmu.Lock()
	defer a.rmu.Unlock()
	a.prunePackets(now)
	ps, ok := a.sessions[pid]
	if !ok {
		return nil, nil
	}
	if ps.at.Before(now.Add(-a.recovery.MaxDisconnectionDuration)) {
		delete(a.sessions, pid)
		return nil, nil
	}
	idx := slices.IndexFunc(a.packets, func(p storedPacket) bool { return p.id == offset })
	if idx < 0 {
		return nil, nil
	}
	delete(a.sessions, pid)
	st := *ps.state
	st.MissedPackets = nil
	for _, p := range a.packets[idx+1:] {
		if shouldInclude(st.Rooms, p.opts) {
			st.MissedPackets = append(st.MissedPackets, p.packet)
		}
	}
	return &st, nil
}

func shouldInclude(rooms []string, opts BroadcastOptions) bool {
	included := len(opts.Rooms) == 0
	for _, r := range rooms {
		if slices.Contains(opts.Except, r) {
			return false
		}
		if !included && slices.Contains(opts.Rooms, r) {
			included = true
		}
	}
	return included
}
