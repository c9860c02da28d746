// Package timeout is context.WithTimeout without context's timer context:
// that context holds its deadline as a time.Time and prints it in its String
// method, so a wasm binary that creates one links time.Time's formatting
// (~45 KB of code). Here the timeout is the cancellation's cause.
package timeout

import (
	"context"
	"time"
)

// Context returns a copy of parent that is canceled when d has passed, with
// the cause context.DeadlineExceeded, or when cancel is called or parent is
// done. Its Err is context.Canceled either way: tell a timeout by
// context.Cause(ctx) (see Expired). It has no Deadline.
func Context(parent context.Context, d time.Duration) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancelCause := context.WithCancelCause(parent)
	t := time.AfterFunc(d, func() { cancelCause(context.DeadlineExceeded) })
	return ctx, func() {
		t.Stop()
		cancelCause(context.Canceled)
	}
}

// Err is ctx's error as context.WithTimeout's would be: its cause when it
// timed out (context.DeadlineExceeded), else ctx.Err().
func Err(ctx context.Context) error {
	if err := ctx.Err(); err == nil || context.Cause(ctx) != context.DeadlineExceeded {
		return err
	}
	return context.DeadlineExceeded
}
