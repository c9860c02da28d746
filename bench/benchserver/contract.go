//go:build !js

package benchserver

import (
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/duplexio/duplex/bench/payload"
	"github.com/duplexio/duplex/server"
	"github.com/duplexio/duplex/server/engine"
)

// Limits of a "bcast" request, as in bench/node/server.js.
const (
	maxCount = 1_000_000
	maxSize  = 1_000_000
)

// bcastRequest is the argument of "bcast".
type bcastRequest struct {
	Count int    `json:"count"`
	Size  int    `json:"size"`
	Room  string `json:"room"`
	JSON  bool   `json:"json"` // payload.JSONLike(seed*count+i, size) instead of "x"s
	Seed  int    `json:"seed"`
}

// New returns a duplex server implementing the contract on its default
// namespace:
//
//	echo(...args, ack)             -> ack(...args)
//	join(room, ack)                -> join room; ack()
//	bcast({count,size,room?,json?,seed?}, ack)
//	                               -> emit "msg" with a size-byte string count
//	                                  times to every socket (or the room); ack()
//	                                  (with json, message i is
//	                                  payload.JSONLike(seed*count+i, size))
//
// Both transports are served, and permessage-deflate is accepted when a
// client offers it (the load generator offers it only in the compressed
// scenarios), as in bench/node/server.js.
//
// log receives the server's logs (nil: slog.Default()).
func New(log *slog.Logger) *server.Server {
	return build(log, nil, nil)
}

// build makes the contract's server on adapter (nil: the in-memory one);
// extra, when set, adds handlers to every socket.
func build(log *slog.Logger, adapter func(*server.Namespace) server.Adapter, extra func(srv *server.Server, s *server.Socket)) *server.Server {
	if log == nil {
		log = slog.Default()
	}
	srv := server.New(&server.Options{Engine: engine.Options{PerMessageDeflate: true}, Logger: log, Adapter: adapter})
	// The handlers are made once and shared by every socket: no closure per
	// connection.
	echo := func(e *server.Event) {
		if e.HasAck() {
			_ = e.AckArgs(e.Args) // verbatim: nothing decoded, boxed or re-encoded
		}
	}
	join := func(e *server.Event) {
		var room json.RawMessage
		if err := e.Decode(&room); err != nil {
			return
		}
		var name string
		if json.Unmarshal(room, &name) != nil {
			name = string(room) // a number, as String(room) in Node
		}
		e.Socket().Join(name)
		if e.HasAck() {
			_ = e.Ack()
		}
	}
	bcast := func(e *server.Event) {
		var req bcastRequest
		_ = e.Decode(&req) // a bad request broadcasts nothing, like Node
		count := min(max(req.Count, 0), maxCount)
		size := min(max(req.Size, 0), maxSize)
		msg := strings.Repeat("x", size)
		for i := range count {
			if req.JSON {
				msg = payload.JSONLike(max(req.Seed, 0)*count+i, size)
			}
			var err error
			if req.Room != "" {
				err = srv.To(req.Room).Emit("msg", msg)
			} else {
				err = srv.Emit("msg", msg)
			}
			if err != nil {
				log.Warn("bench: broadcast", "err", err)
				break
			}
		}
		if e.HasAck() {
			_ = e.Ack()
		}
	}
	srv.OnConnection(func(s *server.Socket) {
		s.On("echo", echo)
		s.On("join", join)
		s.On("bcast", bcast)
		if extra != nil {
			extra(srv, s)
		}
	})
	return srv
}
