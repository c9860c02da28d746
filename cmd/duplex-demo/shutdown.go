package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/duplexio/duplex/server"
)

// shutdown stops the demo within budget and closes every connection. For the
// first half of it the stop is graceful: the Socket.IO server disconnects its
// clients (websockets get a close frame, long polls their answer) while the
// http.Server stops accepting and closes its idle connections. What is left
// at half time (a websocket client that never answers the close frame, a
// connection that never sent its request) is closed by force. That a client
// did not take part is no error of the server: shutdown returns an error only
// for a failure of its own, or when the servers did not end within budget.
func shutdown(srv *server.Server, hs *http.Server, conns *connTracker, budget time.Duration, log *slog.Logger) error {
	start := time.Now()
	graceful, cancel := context.WithTimeout(context.Background(), budget/2)
	defer cancel()

	srvDone, httpDone := make(chan error, 1), make(chan error, 1)
	go func() { srvDone <- srv.Close(graceful) }()
	go func() { httpDone <- hs.Shutdown(graceful) }()

	var srvErr, httpErr error
	srvOK, httpOK := false, false
	forced := false
	limit := time.NewTimer(budget)
	defer limit.Stop()
	for !srvOK || !httpOK {
		select {
		case srvErr = <-srvDone:
			srvOK = true
		case httpErr = <-httpDone:
			httpOK = true
		case <-graceful.Done():
			if !forced {
				forced = true
				n := conns.closeAll()
				log.Warn("shutdown: closed by force the connections still open", "conns", n, "after", time.Since(start).Round(time.Millisecond))
			}
		case <-limit.C:
			return fmt.Errorf("shutdown: the servers did not end within %v", budget)
		}
	}
	// A deadline met is what the forced part is for, not an error.
	if errors.Is(srvErr, context.DeadlineExceeded) {
		srvErr = nil
	}
	if errors.Is(httpErr, context.DeadlineExceeded) {
		httpErr = hs.Close()
	}
	return errors.Join(srvErr, httpErr)
}
