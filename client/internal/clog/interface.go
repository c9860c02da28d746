package clog

// Interface is the method set the client logs through: *slog.Logger and
// *Logger have it (engine.Logger is the same interface).
type Interface interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}
