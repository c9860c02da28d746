//go:build !js

package benchserver

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/duplexio/duplex/server"
)

// StampDigits is the length of the emit time (Unix nanoseconds, zero-padded
// decimal) that starts every "msg" of a "pbcast".
const StampDigits = 19

// maxPacedCount and maxInterval bound a "pbcast" (its goroutine also ends
// when the requesting socket disconnects).
const (
	maxPacedCount = 100_000
	maxInterval   = time.Second
)

// pbcastRequest is the argument of "pbcast".
type pbcastRequest struct {
	Count    int    `json:"count"`
	Size     int    `json:"size"`
	Room     string `json:"room"`
	Interval int    `json:"interval"` // milliseconds between two messages
}

// NewCluster is New on adapter (a cluster adapter joining the server to
// others; nil: the in-memory adapter), with one more event, as
// bench/node/cluster.js answers it:
//
//	pbcast({count,size,interval,room?}, ack) -> emit "msg" count times, one
//	    every interval ms, to every socket of the cluster (or the room); each
//	    message is a size-byte string that starts with its emit time
//	    (StampDigits digits of Unix nanoseconds) padded with "x"; ack() after
//	    the last.
func NewCluster(log *slog.Logger, adapter func(*server.Namespace) server.Adapter) *server.Server {
	return build(log, adapter, func(srv *server.Server, s *server.Socket) {
		s.On("pbcast", func(e *server.Event) {
			var req pbcastRequest
			_ = e.Decode(&req) // a bad request broadcasts nothing
			count := min(max(req.Count, 0), maxPacedCount)
			size := min(max(req.Size, StampDigits), maxSize)
			every := min(max(time.Duration(req.Interval)*time.Millisecond, 0), maxInterval)
			// The pacing must not hold the socket's handlers: a goroutine
			// that ends after count messages, at the first failed emit, or
			// once the requesting socket is gone, sends them.
			go paced(srv, e, req.Room, count, size, every, log)
		})
	})
}

// paced emits count stamped messages of size bytes, one every every, then
// acks e.
func paced(srv *server.Server, e *server.Event, room string, count, size int, every time.Duration, log *slog.Logger) {
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = 'x'
	}
	tick := time.NewTicker(max(every, time.Microsecond))
	defer tick.Stop()
	for i := range count {
		if i > 0 && every > 0 {
			<-tick.C
		}
		if !e.Socket().Connected() {
			return // nobody waits for the ack: the server or the client closed
		}
		msg := Stamp(buf, time.Now())
		var err error
		if room != "" {
			err = srv.To(room).Emit("msg", msg)
		} else {
			err = srv.Emit("msg", msg)
		}
		if err != nil {
			if log != nil {
				log.Warn("bench: paced broadcast", "err", err)
			}
			return
		}
	}
	if e.HasAck() {
		_ = e.Ack()
	}
}

// Stamp writes t as StampDigits digits of Unix nanoseconds at the start of
// buf (len(buf) >= StampDigits) and returns buf as a string.
func Stamp(buf []byte, t time.Time) string {
	d := strconv.AppendInt(make([]byte, 0, StampDigits), t.UnixNano(), 10)
	n := copy(buf, strings.Repeat("0", StampDigits-len(d)))
	copy(buf[n:], d)
	return string(buf)
}
