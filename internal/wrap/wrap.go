// Package wrap makes the errors fmt.Errorf makes with %w, without fmt: an
// error with its own message that unwraps to the errors it wraps, so that
// errors.Is and errors.As see them. The browser build avoids fmt, whose
// reflection-driven printer is ~100 KB of a wasm binary.
package wrap

// Error is an error with a message that wraps errors (as fmt.Errorf's
// wrapError and wrapErrors).
type Error struct {
	msg  string
	errs []error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the wrapped errors.
func (e *Error) Unwrap() []error { return e.errs }

// New returns an error with message msg wrapping errs (nil ones dropped).
func New(msg string, errs ...error) error {
	e := &Error{msg: msg}
	for _, err := range errs {
		if err != nil {
			e.errs = append(e.errs, err)
		}
	}
	return e
}

// With is fmt.Errorf("%w: "+detail, err): err's message, then detail.
func With(err error, detail string) error {
	return &Error{msg: err.Error() + ": " + detail, errs: []error{err}}
}

// In is fmt.Errorf(context+": %w", err): context, then err's message.
func In(context string, err error) error {
	return &Error{msg: context + ": " + err.Error(), errs: []error{err}}
}
