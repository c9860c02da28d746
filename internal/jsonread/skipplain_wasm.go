//go:build wasm

package jsonread

import "encoding/binary"

// SkipPlain returns the index of the first byte from d[i] on that may end,
// escape or invalidate a JSON string ('"', '\\', a control character), or
// the index where fewer than 8 bytes are left. The WebAssembly build (a
// client scans every received payload) goes 32 bytes per round while none
// of them is special, through full slice expressions: a loop of 8-byte
// loads from d[i:] costs several times more per byte there (16 KB under
// Node: about 110-200 µs, against 7-17 µs this way). Other builds keep the
// 8-byte loop (skipplain.go), which is faster for the short strings a
// server mostly sees.
func SkipPlain(d []byte, i int) int {
	for ; i+32 <= len(d); i += 32 {
		w := d[i : i+32 : i+32]
		if (special8(binary.LittleEndian.Uint64(w[0:8]))|special8(binary.LittleEndian.Uint64(w[8:16]))|
			special8(binary.LittleEndian.Uint64(w[16:24]))|special8(binary.LittleEndian.Uint64(w[24:32])))&high8 != 0 {
			break
		}
	}
	for ; i+8 <= len(d); i += 8 {
		if special8(binary.LittleEndian.Uint64(d[i:i+8:i+8]))&high8 != 0 {
			return i
		}
	}
	return i
}
