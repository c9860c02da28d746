package sio

// MarshalArgsNative is MarshalArgs as the browser build writes arguments:
// without encoding/json (argEncoder.native).
func MarshalArgsNative(args ...any) ([]byte, [][]byte, error) {
	e := newArgEncoder(make([]byte, 0, 32))
	e.nativeTest = true
	e.buf = append(e.buf, '[')
	for i, a := range args {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(a); err != nil {
			return nil, nil, err
		}
	}
	e.buf = append(e.buf, ']')
	return e.buf, e.attachments, nil
}
