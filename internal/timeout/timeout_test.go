package timeout

import (
	"context"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestExpires(t *testing.T) {
	ctx, cancel := Context(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	if err := Err(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Err = %v, want context.DeadlineExceeded", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := Context(context.Background(), time.Hour)
	if err := Err(ctx); err != nil {
		t.Fatalf("Err before cancel = %v", err)
	}
	cancel()
	if err := Err(ctx); err != context.Canceled {
		t.Fatalf("Err = %v, want context.Canceled", err)
	}
}

func TestParent(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.Background())
	ctx, cancel := Context(parent, time.Hour)
	defer cancel()
	cancelParent()
	<-ctx.Done()
	if err := Err(ctx); err != context.Canceled {
		t.Fatalf("Err = %v, want context.Canceled", err)
	}
}
