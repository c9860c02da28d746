package clog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// slogLine is what slog's TextHandler writes for the record, without the time.
func slogLine(t *testing.T, level Level, msg string, args []any) string {
	t.Helper()
	var b bytes.Buffer
	h := slog.NewTextHandler(&b, &slog.HandlerOptions{
		Level: slog.LevelDebug - 10,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	})
	slog.New(h).Log(context.Background(), slog.Level(level), msg, args...)
	return b.String()
}

type stringer struct{}

func (stringer) String() string { return "a stringer" }

// TestSameAsSlog compares the lines with slog's TextHandler's for the values
// the client logs (strings, errors, durations, numbers, booleans).
func TestSameAsSlog(t *testing.T) {
	cases := []struct {
		level Level
		msg   string
		args  []any
	}{
		{LevelDebug, "engine: upgraded to websocket", []any{"sid", "AbC-12_x"}},
		{LevelInfo, "plain", nil},
		{LevelWarn, "duplex: a listener threw", []any{"err", errors.New(`TypeError: "x" is undefined`)}},
		{LevelError, "client: cannot decode event argument", []any{"event", "chat message", "err", errors.New("json: cannot unmarshal")}},
		{LevelDebug, "client: reconnecting", []any{"delay", 1500 * time.Millisecond}},
		{LevelWarn, "numbers", []any{"i", 42, "n", -7, "f", 1.5, "big", 1e21, "b", true}},
		{LevelWarn, "quoting", []any{"empty", "", "eq", "a=b", "nl", "a\nb", "tab", "a\tb", "uni", "héllo", "bs", `a\b`}},
		{LevelWarn, "stringer", []any{"s", stringer{}}},
		{LevelWarn, "odd", []any{"alone"}},
		{LevelWarn, "badkey", []any{7, "x"}},
		{LevelWarn + 1, "between", nil},
		{LevelDebug - 2, "below debug", nil},
		{LevelError + 3, "above error", nil},
		{LevelWarn, "nil error", []any{"err", nil}},
	}
	for _, c := range cases {
		var b bytes.Buffer
		New(&b, LevelDebug-10).log(c.level, c.msg, c.args)
		if want := slogLine(t, c.level, c.msg, c.args); b.String() != want {
			t.Errorf("%s:\n got %q\nwant %q", c.msg, b.String(), want)
		}
	}
}

func TestLevel(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, LevelWarn)
	l.Debug("d")
	l.Info("i")
	l.Warn("w", "k", "v")
	l.Error("e")
	if got, want := b.String(), "level=WARN msg=w k=v\nlevel=ERROR msg=e\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestOtherTypes(t *testing.T) {
	got := string(Append(nil, LevelInfo, "m", []any{"v", struct{ A int }{1}, "p", []int{1}, "u", uint(3)}))
	if !strings.Contains(got, `v="<struct { A int }>"`) || !strings.Contains(got, "p=<[]int>") || !strings.Contains(got, "u=<uint>") {
		t.Fatalf("got %q", got)
	}
}

// The interface the client logs through is satisfied by both loggers.
var (
	_ Interface = (*Logger)(nil)
	_ Interface = (*slog.Logger)(nil)
)
