package client

import (
	"strings"
	"testing"
	"time"
)

// TestConnectBadURLReported: a bad URL given to Connect reaches the
// OnConnectError handlers added after Connect returned (Connect cannot
// return an error), each once (issue 10 item 3).
func TestConnectBadURLReported(t *testing.T) {
	for _, bad := range []string{"ftp://h", "http://", "%", "http://h\x7f"} {
		t.Run(bad, func(t *testing.T) {
			s := Connect(bad, &Options{Logger: quietLogger()})
			defer s.Manager().Close()
			errs := connectErrors(s)
			if err := recv(t, errs, "connect_error"); err == nil || !strings.Contains(err.Error(), "bad url") {
				t.Fatalf("connect_error %v", err)
			}
			later := connectErrors(s)
			recv(t, later, "connect_error of a handler added after the report")
			select {
			case err := <-errs:
				t.Fatalf("a handler heard the bad URL twice: %v", err)
			case err := <-later:
				t.Fatalf("a handler heard the bad URL twice: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
		})
	}
}
