// Package clog is a small leveled logger with log/slog's method set (Debug,
// Info, Warn, Error with key-value pairs) that writes a line in slog's text
// format without a timestamp, through a plain io.Writer:
//
//	level=WARN msg="duplex: a listener threw" err="TypeError: x is undefined"
//
// It is the browser build's default logger and what client.wasm logs
// through: a *slog.Logger brings slog's handlers, time formatting, fmt and
// encoding/json's encoder into a wasm binary (~250 KB), and a program that
// never hands the client one does not pay for them. It formats strings,
// errors, fmt.Stringers (time.Duration), booleans, ints and float64s, what
// the client logs; other values are written as their type in angle brackets.
package clog

import (
	"io"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Level is a log level, with slog.Level's values.
type Level int

// The levels, as slog's.
const (
	LevelDebug Level = -4
	LevelInfo  Level = 0
	LevelWarn  Level = 4
	LevelError Level = 8
)

// Logger writes the records at or above its level to its writer, one Write
// per record.
type Logger struct {
	mu  sync.Mutex
	w   io.Writer
	min Level
}

// New returns a Logger writing the records at level min and above to w.
func New(w io.Writer, min Level) *Logger { return &Logger{w: w, min: min} }

// Debug logs at LevelDebug.
func (l *Logger) Debug(msg string, args ...any) { l.log(LevelDebug, msg, args) }

// Info logs at LevelInfo.
func (l *Logger) Info(msg string, args ...any) { l.log(LevelInfo, msg, args) }

// Warn logs at LevelWarn.
func (l *Logger) Warn(msg string, args ...any) { l.log(LevelWarn, msg, args) }

// Error logs at LevelError.
func (l *Logger) Error(msg string, args ...any) { l.log(LevelError, msg, args) }

func (l *Logger) log(level Level, msg string, args []any) {
	if level < l.min {
		return
	}
	b := Append(make([]byte, 0, 128), level, msg, args)
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(b)
}

// Append appends a record in slog's text format (without time and newline)
// to b: arguments are key-value pairs; a key that is not a string is written
// as !BADKEY with the argument as its value, as slog does.
func Append(b []byte, level Level, msg string, args []any) []byte {
	b = append(b, "level="...)
	b = append(b, level.String()...)
	b = append(b, " msg="...)
	b = appendString(b, msg)
	for len(args) > 0 {
		key, ok := args[0].(string)
		var v any
		switch {
		case !ok:
			key, v, args = "!BADKEY", args[0], args[1:]
		case len(args) == 1:
			key, v, args = "!BADKEY", key, nil
		default:
			v, args = args[1], args[2:]
		}
		b = append(b, ' ')
		b = appendString(b, key)
		b = append(b, '=')
		b = appendValue(b, v)
	}
	return b
}

// String is slog.Level's String: DEBUG, INFO, WARN, ERROR, with an offset
// for the levels in between (INFO+2, DEBUG-2).
func (l Level) String() string {
	base, d := "ERROR", l-LevelError
	switch {
	case l < LevelInfo:
		base, d = "DEBUG", l-LevelDebug
	case l < LevelWarn:
		base, d = "INFO", l-LevelInfo
	case l < LevelError:
		base, d = "WARN", l-LevelWarn
	}
	if d == 0 {
		return base
	}
	if d < 0 {
		return base + strconv.Itoa(int(d))
	}
	return base + "+" + strconv.Itoa(int(d))
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "<nil>"...)
	case string:
		return appendString(b, v)
	case error:
		return appendString(b, v.Error())
	case interface{ String() string }:
		return appendString(b, v.String())
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	default:
		return appendString(b, "<"+reflect.TypeOf(v).String()+">")
	}
}

// appendString appends s, quoted as slog's text handler quotes: when it is
// empty or holds a space, '=', '"', a control character or invalid UTF-8.
func appendString(b []byte, s string) []byte {
	if !needsQuoting(s) {
		return append(b, s...)
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return true
			}
			i += n
			continue
		}
		if c <= ' ' || c == '=' || c == '"' || c == 0x7f {
			return true
		}
		i++
	}
	return false
}
