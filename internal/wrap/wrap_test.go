package wrap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"github.com/duplexio/duplex/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// Each constructor gives the message and the errors.Is/As results of the
// fmt.Errorf it replaces.
func TestSameAsErrorf(t *testing.T) {
	pathErr := &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	cases := []struct{ got, want error }{
		{With(io.EOF, "bad handshake"), fmt.Errorf("%w: bad handshake", io.EOF)},
		{In("engine: dial", pathErr), fmt.Errorf("engine: dial: %w", pathErr)},
		{New("both: "+io.EOF.Error()+", "+pathErr.Error(), io.EOF, pathErr), fmt.Errorf("both: %w, %w", io.EOF, pathErr)},
		{New("one", nil, io.EOF), fmt.Errorf("one%.0w", io.EOF)},
	}
	for _, c := range cases {
		if c.got.Error() != c.want.Error() {
			t.Errorf("message %q, fmt.Errorf's %q", c.got, c.want)
		}
		for _, target := range []error{io.EOF, fs.ErrNotExist, io.ErrUnexpectedEOF} {
			if errors.Is(c.got, target) != errors.Is(c.want, target) {
				t.Errorf("%q: errors.Is(%v) = %v, fmt.Errorf's %v", c.got, target, errors.Is(c.got, target), !errors.Is(c.got, target))
			}
		}
		var p1, p2 *fs.PathError
		if errors.As(c.got, &p1) != errors.As(c.want, &p2) || p1 != p2 {
			t.Errorf("%q: errors.As differs", c.got)
		}
	}
}
